//! `custody::import::*`: the codes of this namespace; each doc comment is the code's
//! entry in docs/errors.md.

crate::codes! {
    /// `custody import` reads CSV files (`.csv`) and spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`,
    /// `.xls`, `.ods`), chosen by the file's extension; this file has another extension.
    ///
    /// Run: custody import vendors.txt --kind vendor
    ///
    /// ```text title="vendors.txt"
    /// id,name
    /// acme,Acme
    /// ```
    ///
    /// Fix: export the sheet as CSV (comma-separated, UTF-8) or save it as `.xlsx`, and import
    /// that file.
    pub UNSUPPORTED_FORMAT = error "custody::import::unsupported_format",
        "`custody import` reads CSV files (`.csv`) and spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), chosen by the file's extension; this file has another extension.";

    /// The file could not be read as what its extension says: a `.xlsx` file that is not a
    /// zip of spreadsheet XML (a corrupt download, a CSV renamed to `.xlsx`, a password-protected
    /// workbook), or a CSV file that the CSV reader refuses.
    ///
    /// Run: custody import vendors.xlsx --kind vendor
    ///
    /// ```text title="vendors.xlsx"
    /// id,name
    /// acme,Acme
    /// ```
    ///
    /// Fix: open the file in a spreadsheet program and save it again as `.xlsx` (without a
    /// password), or export the sheet as CSV.
    pub UNREADABLE = error "custody::import::unreadable",
        "The file could not be read as what its extension says: a `.xlsx` file that is not a zip of spreadsheet XML (a corrupt download, a CSV renamed to `.xlsx`, a password-protected workbook), or a CSV file that the CSV reader refuses.";

    /// `--sheet` names a sheet the workbook does not have. Sheet names are compared exactly,
    /// letter case included; the help suggests the nearest name or lists the sheets.
    ///
    /// Produced by: tests/import.rs
    ///
    /// Fix: name one of the workbook's sheets (as shown on its tab), or leave `--sheet` out to
    /// import the first sheet.
    pub UNKNOWN_SHEET = error "custody::import::unknown_sheet",
        "`--sheet` names a sheet the workbook does not have.";

    /// There is nothing to import: the file (or sheet) is empty, or it has a header row and no
    /// row below it. Fully empty rows are skipped, so a sheet of blank rows is empty too.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,name,tier
    /// ```
    ///
    /// Fix: check that you are importing the right file and sheet (`--sheet`); the first row
    /// names the columns and each row below it is one entity.
    pub EMPTY = error "custody::import::empty",
        "There is nothing to import: the file (or sheet) is empty, or it has a header row and no row below it.";

    /// `--kind` names a kind the schema does not have. Kinds are singular (`vendor`,
    /// `data_store`), as in policies; custody.yaml's `schema:` may add more.
    ///
    /// Run: custody import vendors.csv --kind vendr
    ///
    /// ```csv title="vendors.csv"
    /// id,name
    /// acme,Acme
    /// ```
    ///
    /// Fix: use the kind's singular name (`--kind vendor`); `custody schema` lists the kinds.
    pub UNKNOWN_KIND = error "custody::import::unknown_kind",
        "`--kind` names a kind the schema does not have.";

    /// A header names no field of the kind. Headers are matched to field names ignoring letter
    /// case, with spaces and `-` read as `_` (`Last Audit` is `last_audit`); members of an
    /// object are dotted (`contract.expires`). The help suggests the nearest field and the
    /// `--map` to write.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,name,Last Audt
    /// acme,Acme,2026-03-31
    /// ```
    ///
    /// Fix: rename the header to the field, map the column with `--map "Last Audt=last_audit"`,
    /// or skip it with `--map "Last Audt=-"`.
    pub UNKNOWN_COLUMN = error "custody::import::unknown_column",
        "A header names no field of the kind.";

    /// A `--map COLUMN=FIELD` is not of that shape, names a column the header does not have, or
    /// names a field the kind does not have (or one that cannot be imported).
    ///
    /// Run: custody import vendors.csv --kind vendor --map "Vendor=nme"
    ///
    /// ```csv title="vendors.csv"
    /// id,Vendor
    /// acme,Acme
    /// ```
    ///
    /// Fix: write the column's header as it is in the file, `=`, and the field's name
    /// (`--map "Vendor=name"`), or `-` to skip the column (`--map "Notes=-"`).
    pub BAD_MAP = error "custody::import::bad_map",
        "A `--map COLUMN=FIELD` is not of that shape, names a column the header does not have, or names a field the kind does not have (or one that cannot be imported).";

    /// A column names a field that is not written in inventories: a reverse list, which custody
    /// computes from the references that point at the entity (`data_store.accessed_by` from
    /// `vendor.accesses`), or an object, whose members are the columns (`contract.expires`).
    ///
    /// Run: custody import stores.csv --kind data_store
    ///
    /// ```csv title="stores.csv"
    /// id,name,accessed_by
    /// crm,CRM,acme
    /// ```
    ///
    /// Fix: import the references from the other side (an `accesses` column when importing
    /// vendors), name the object's members as columns, or skip the column with
    /// `--map "COLUMN=-"`.
    pub NOT_IMPORTABLE = error "custody::import::not_importable",
        "A column names a field that is not written in inventories: a reverse list, which custody computes from the references that point at the entity (`data_store.accessed_by` from `vendor.accesses`), or an object, whose members are the columns (`contract.expires`).";

    /// Two columns are the same field (two headers that differ only in case or spacing, or a
    /// `--map` onto a field another column already is): which one holds the value would be a
    /// guess.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,Name,name
    /// acme,Acme,Acme Ltd
    /// ```
    ///
    /// Fix: delete one of the two columns, or skip one with `--map "COLUMN=-"`.
    pub DUPLICATE_COLUMN = error "custody::import::duplicate_column",
        "Two columns are the same field (two headers that differ only in case or spacing, or a `--map` onto a field another column already is): which one holds the value would be a guess.";

    /// Every entity needs an `id`: no column is `id`, or a row leaves its `id` cell empty.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// Vendor ID,name
    /// acme,Acme
    /// ```
    ///
    /// Fix: name the id column `id` or map it (`--map "Vendor ID=id"`), and fill in every row's
    /// id (letters, digits, `.`, `_` and `-`, unique within the kind).
    pub MISSING_ID = error "custody::import::missing_id",
        "Every entity needs an `id`: no column is `id`, or a row leaves its `id` cell empty.";

    /// Two rows have the same id. Ids are unique within a kind; the second row is not imported.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,name
    /// acme,Acme
    /// acme,Acme Ltd
    /// ```
    ///
    /// Fix: give one of the rows another id, or merge the two rows.
    pub DUPLICATE_ID = error "custody::import::duplicate_id",
        "Two rows have the same id.";

    /// A cell's value is not of its field's type. Numbers are plain (`1200`, `0.5`); booleans
    /// are `true`/`false` or `yes`/`no` in any letter case (or a spreadsheet's TRUE/FALSE);
    /// dates are `YYYY-MM-DD` text or, in a spreadsheet, date cells (a plain number in a date
    /// column is refused: it is a date only if the cell is formatted as one); ids and references
    /// use letters, digits, `.`, `_` and `-`. Control characters are refused everywhere.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,last_audit,mfa_enforced
    /// acme,31/03/2026,maybe
    /// ```
    ///
    /// Fix: write the value as the message says (the help shows it where it can), or change the
    /// cell's format in the spreadsheet (a date column formatted as *Date*).
    pub WRONG_TYPE = error "custody::import::wrong_type",
        "A cell's value is not of its field's type.";

    /// A `category` cell (or an entry of a `list<category>` cell) is not in the taxonomy.
    /// Categories are full dotted names (`personal.contact.email`).
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,handles
    /// acme,personal.contact.emial; personal.identity.name
    /// ```
    ///
    /// Fix: use the suggested name, or add the category under `taxonomy:` in custody.yaml.
    pub UNKNOWN_CATEGORY = error "custody::import::unknown_category",
        "A `category` cell (or an entry of a `list<category>` cell) is not in the taxonomy.";

    /// An enum cell holds a value its field does not list. Letter case is forgiven (`High` is
    /// `high`); anything else is reported with the nearest value.
    ///
    /// Run: custody import vendors.csv --kind vendor
    ///
    /// ```csv title="vendors.csv"
    /// id,tier
    /// acme,hgh
    /// ```
    ///
    /// Fix: use one of the listed values, or add it to the enum in custody.yaml's `schema:`.
    pub UNKNOWN_ENUM_VALUE = error "custody::import::unknown_enum_value",
        "An enum cell holds a value its field does not list.";

    /// `--output` names a file that already exists. `custody import` never overwrites: a
    /// hand-edited inventory would be lost. Nothing was written.
    ///
    /// Run: custody import vendors.csv --kind vendor --output inventory/vendors.yaml
    ///
    /// ```csv title="vendors.csv"
    /// id,name
    /// acme,Acme
    /// ```
    ///
    /// Fix: write to a new file and compare, or remove the old file first if it is meant to be
    /// replaced.
    pub OUTPUT_EXISTS = error "custody::import::output_exists",
        "`--output` names a file that already exists.";

    /// The `--output` file could not be written: its directory does not exist or is not
    /// writable, or the disk is full. Nothing was written (the file is written whole, through a
    /// temporary file, or not at all).
    ///
    /// Produced by: tests/import.rs
    ///
    /// Fix: write to a directory that exists and that you can write to.
    pub WRITE_FAILED = error "custody::import::write_failed",
        "The `--output` file could not be written: its directory does not exist or is not writable, or the disk is full.";
}

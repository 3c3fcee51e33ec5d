-- Run by tests/neovim.rs in a headless Neovim (0.7 or later, started with --clean -u NONE):
-- starts `custody lsp` as a language server for a project, opens a policy in it, waits for
-- the server's diagnostics and writes what Neovim made of them to a JSON file, then quits.
--
-- Only what Neovim 0.7 has (Debian bookworm's): vim.lsp.start_client and
-- vim.lsp.buf_attach_client, not vim.lsp.start. Parameters come from the environment:
--   CUSTODY_TEST_BIN     the custody executable
--   CUSTODY_TEST_ROOT    the project directory (holding custody.yaml): the root_dir
--   CUSTODY_TEST_FILE    the policy to open
--   CUSTODY_TEST_OUT     where to write the JSON result
--   CUSTODY_TEST_WAIT    how long to wait for diagnostics, in milliseconds
local bin = os.getenv('CUSTODY_TEST_BIN')
local root = os.getenv('CUSTODY_TEST_ROOT')
local file = os.getenv('CUSTODY_TEST_FILE')
local out = os.getenv('CUSTODY_TEST_OUT')
local wait = tonumber(os.getenv('CUSTODY_TEST_WAIT') or '20000')

local result = { errors = {} }

local function finish()
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  -- The filetype an editor setup gives .policy files (docs/editors.md); the server gets it
  -- as the document's languageId.
  vim.bo[buf].filetype = 'custody'
  local exited = nil
  local client_id = vim.lsp.start_client({
    name = 'custody',
    cmd = { bin, 'lsp' },
    root_dir = root,
    offset_encoding = 'utf-16',
    on_error = function(code, e)
      table.insert(result.errors, string.format('client error %s: %s', tostring(code), vim.inspect(e)))
    end,
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  if not client_id then
    table.insert(result.errors, 'vim.lsp.start_client returned nil')
    return
  end
  if not vim.lsp.buf_attach_client(buf, client_id) then
    table.insert(result.errors, 'vim.lsp.buf_attach_client failed')
    return
  end
  result.got_diagnostics = vim.wait(wait, function()
    return #vim.diagnostic.get(buf) > 0 or exited ~= nil
  end, 50) and #vim.diagnostic.get(buf) > 0
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      source = d.source,
      code = d.code,
    })
  end
  result.exited_early = exited
  -- A clean shutdown (shutdown, then exit): the server must leave by itself.
  local client = vim.lsp.get_client_by_id(client_id)
  if client then
    client.stop()
    result.stopped = vim.wait(5000, function()
      return exited ~= nil
    end, 50)
  end
  result.exit = exited
end)
if not ok then
  table.insert(result.errors, 'lua error: ' .. tostring(err))
end
finish()

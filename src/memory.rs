//! Handing freed heap memory back to the system between the stages of a large run.

/// Return the heap's free pages to the system (glibc's `malloc_trim`). A stage that builds
/// a large structure in parallel pieces and then joins them (the parts of an inventory file,
/// the findings of each chunk of entities) frees as much as it keeps, in small blocks
/// spread over the heaps of the threads that made them; glibc keeps such memory for reuse,
/// so the process's resident size stays at the sum of both. Cheap next to the stages it
/// follows (it walks the free lists once). A no-op where the allocator is not glibc's.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only releases memory the allocator holds free; it takes a
        // pad size and has no other precondition.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

//! Gives the C allocator's free pages back to the system after the large,
//! short-lived allocations of a start-up (connmand's whole service list,
//! parsed on the start-up thread and on zbus's threads).
//!
//! glibc keeps what a thread freed in that thread's arena for reuse, and
//! returns it to the system only from the top of the main heap: after the
//! first `GetServices` of 300 networks, megabytes of freed messages and
//! dictionaries stay mapped for the life of the tray icon. `malloc_trim`
//! returns every arena's free pages.
//!
//! This module and `ui::access` are the only ones with `unsafe` code: one
//! call into the C library, which has no precondition.
#![allow(unsafe_code)]

/// Returns the allocator's free pages to the system (glibc); nothing
/// elsewhere. Cheap (a walk of the free lists), but not for every event:
/// after a start-up or a reconnection, when much was freed at once.
pub fn give_back_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes a size and touches only the allocator's own
    // state, under its locks; any thread may call it at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

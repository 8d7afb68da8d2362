//! What counts as a crash: a panic that escapes hirecast's API. Panics that hirecast contains
//! by design (the third-party PDF parser on its worker thread, twitter-text under
//! `catch_unwind`) are not crashes: libfuzzer-sys's hook would abort on them, so it is replaced
//! by one that remembers the message, and the target's body runs under `catch_unwind`.
use std::sync::Mutex;

static LAST: Mutex<Option<String>> = Mutex::new(None);

pub fn run(body: impl FnOnce()) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            *LAST.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{info}{at}"));
        }));
    });
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_err() {
        let msg = LAST.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default();
        eprintln!("a panic escaped hirecast: {msg}");
        std::process::abort();
    }
}

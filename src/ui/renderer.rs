//! Which GSK renderer Connie asks for, decided before GTK loads.
//!
//! Connie's window is lists and forms: nothing a GPU does better than the
//! CPU. Many of the machines that run ConnMan have no GPU driver, and GTK's
//! GL renderer then runs on Mesa's software rasteriser (llvmpipe), which
//! costs several times the CPU of the cairo renderer for every frame, plus
//! the GL probe when the display opens and the driver's memory. Measured
//! with `make bench` (Xvfb, llvmpipe): see the README's performance notes.
//!
//! So Connie defaults to the cairo renderer, with GL switched off (on X11,
//! GDK otherwise probes GL when it opens the display, only to choose a
//! visual), unless the person chose a renderer (`GSK_RENDERER`): then
//! nothing is changed.

/// The environment variables to set, given the current environment (`get`)
/// and GTK's minor version. Empty when the person chose a renderer.
pub fn renderer_env(
    get: impl Fn(&str) -> Option<String>,
    gtk_minor: u32,
) -> Vec<(&'static str, String)> {
    if get("GSK_RENDERER").is_some_and(|r| !r.is_empty()) {
        return Vec::new();
    }
    // GTK 4.16 moved "gl-disable" from GDK_DEBUG to GDK_DISABLE=gl
    let (var, flag) = if gtk_minor >= 16 {
        ("GDK_DISABLE", "gl")
    } else {
        ("GDK_DEBUG", "gl-disable")
    };
    let mut env = vec![("GSK_RENDERER", "cairo".to_owned())];
    let current = get(var).unwrap_or_default();
    let has_flag = current
        .split([',', ':', ' ', ';'])
        .any(|f| f.trim() == flag);
    if !has_flag {
        let value = if current.trim().is_empty() {
            flag.to_owned()
        } else {
            format!("{current},{flag}")
        };
        env.push((var, value));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn cairo_without_gl_by_default() {
        assert_eq!(
            renderer_env(env(&[]), 8),
            [
                ("GSK_RENDERER", "cairo".to_owned()),
                ("GDK_DEBUG", "gl-disable".to_owned())
            ]
        );
        assert_eq!(
            renderer_env(env(&[]), 16),
            [
                ("GSK_RENDERER", "cairo".to_owned()),
                ("GDK_DISABLE", "gl".to_owned())
            ]
        );
    }

    #[test]
    fn the_persons_choice_stands() {
        assert!(renderer_env(env(&[("GSK_RENDERER", "ngl")]), 8).is_empty());
        assert!(renderer_env(env(&[("GSK_RENDERER", "cairo")]), 8).is_empty());
    }

    #[test]
    fn other_debug_flags_are_kept() {
        assert_eq!(
            renderer_env(env(&[("GDK_DEBUG", "events")]), 8)[1],
            ("GDK_DEBUG", "events,gl-disable".to_owned())
        );
        assert_eq!(
            renderer_env(env(&[("GDK_DEBUG", "events,gl-disable")]), 8),
            [("GSK_RENDERER", "cairo".to_owned())]
        );
    }
}

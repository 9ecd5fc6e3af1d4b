//! Which browser on which system a session is, from the `User-Agent` it signed in with, for the
//! customer's list of their sessions ("Chrome on Android"). Only the common phone and desktop
//! browsers are told apart; anything else is `None` and the list says "a browser".

/// A session's browser and system, as far as its user agent tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub browser: Option<&'static str>,
    pub system: Option<&'static str>,
}

/// Browsers by the token their user agent carries, in the order to test them: Edge, Opera and
/// Samsung Internet also say "Chrome", and Chrome says "Safari".
const BROWSERS: [(&str, &str); 8] = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
];

/// Systems by their token, in the order to test them: Android says "Linux", iPadOS "Mac OS X".
const SYSTEMS: [(&str, &str); 7] = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
];

/// The browser and system `user_agent` names.
pub fn describe(user_agent: &str) -> Device {
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(token, _)| user_agent.contains(token))
            .map(|(_, name)| *name)
    };
    // Safari is what says "Safari" and none of the others.
    let browser = find(&BROWSERS).or_else(|| {
        (user_agent.contains("Safari/") && user_agent.contains("Version/")).then_some("Safari")
    });
    Device {
        browser,
        system: find(&SYSTEMS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ua: &str) -> (Option<&'static str>, Option<&'static str>) {
        let d = describe(ua);
        (d.browser, d.system)
    }

    #[test]
    fn the_common_phone_browsers_are_named_with_their_system() {
        assert_eq!(
            names("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),
            (Some("Chrome"), Some("Android"))
        );
        assert_eq!(
            names("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
            (Some("Safari"), Some("iOS"))
        );
        assert_eq!(
            names("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"),
            (Some("Samsung Internet"), Some("Android"))
        );
        assert_eq!(
            names("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"),
            (Some("Chrome"), Some("iOS"))
        );
    }

    #[test]
    fn desktop_browsers_that_also_say_chrome_are_named_for_themselves() {
        assert_eq!(
            names("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
            (Some("Edge"), Some("Windows"))
        );
        assert_eq!(
            names("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0"),
            (Some("Firefox"), Some("macOS"))
        );
        assert_eq!(
            names("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0"),
            (Some("Opera"), Some("Linux"))
        );
    }

    #[test]
    fn an_unknown_agent_names_nothing() {
        assert_eq!(names("curl/8.5.0"), (None, None));
        assert_eq!(names(""), (None, None));
    }
}

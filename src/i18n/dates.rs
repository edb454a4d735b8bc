//! Dates in a language's words: relative in message lists (`10:42`, `Yesterday`, `12 Mar`,
//! `12 Mar 2023`), in full on a message's page.
//!
//! Dates are shown in the server's local time zone (`TZ`, else `/etc/localtime`; daylight
//! saving included), so an admin in Brazil sets `TZ=America/Sao_Paulo`. A per-person zone
//! would need the browser to tell it (a script, or a setting); the sender's own zone, which
//! the previous format used, cannot say what "today" is.

use chrono::{DateTime, Datelike, FixedOffset, Local, NaiveDate, NaiveTime, Timelike};

use super::{Arg, Lang, Msg};

/// A moment in the zone dates are shown in.
pub fn shown(moment: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    moment.with_timezone(&Local).fixed_offset()
}

/// Now, in the zone dates are shown in.
pub fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

impl Lang {
    /// A list's date, relative to `now`: the time today, "Yesterday", the day and month this
    /// year, the whole date before. Both moments must be in the same zone (see [`shown`]).
    pub fn list_date(&self, when: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
        let (day, today) = (when.date_naive(), now.date_naive());
        let id = if day == today {
            "date-today"
        } else if today.pred_opt() == Some(day) {
            "date-yesterday"
        } else if day.year() == today.year() {
            "date-this-year"
        } else {
            "date-other-year"
        };
        self.format(&date_message(id, when))
    }

    /// A day on its own (an out-of-office reply's first and last days): day, month, year.
    pub fn day(&self, day: NaiveDate) -> String {
        let midnight = day.and_time(NaiveTime::MIN).and_utc().fixed_offset();
        self.format(&date_message("date-other-year", midnight))
    }

    /// The whole date and time, for a message's page and the line above a quoted reply.
    pub fn full_date(&self, when: DateTime<FixedOffset>) -> String {
        self.format(&date_message("date-full", when))
    }
}

/// The arguments every date message gets (a translation may use any of them).
#[cfg(test)]
pub(crate) const DATE_ARGS: [&str; 7] =
    ["hour", "minute", "day", "day2", "month", "month2", "year"];

/// A date message with every piece a language may need. The month is a number so the file can
/// select its name; the rest are text, so a year is not written `2,025`.
fn date_message(id: &'static str, when: DateTime<FixedOffset>) -> Msg {
    Msg::new(id)
        .arg("hour", format!("{:02}", when.hour()))
        .arg("minute", format!("{:02}", when.minute()))
        .arg("day", when.day().to_string())
        .arg("day2", format!("{:02}", when.day()))
        .arg("month", Arg::Number(f64::from(when.month())))
        .arg("month2", format!("{:02}", when.month()))
        .arg("year", format!("{:04}", when.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("valid date")
    }

    fn lang(tag: &str) -> Lang {
        Lang::from_tag(tag).expect("language exists")
    }

    const NOW: &str = "2025-03-14T15:00:00-03:00";

    #[test]
    fn english_list_dates_are_relative() {
        let en = lang("en");
        let now = at(NOW);
        assert_eq!(en.list_date(at("2025-03-14T10:42:00-03:00"), now), "10:42");
        assert_eq!(en.list_date(at("2025-03-14T00:05:00-03:00"), now), "00:05");
        assert_eq!(
            en.list_date(at("2025-03-13T23:59:00-03:00"), now),
            "Yesterday"
        );
        assert_eq!(en.list_date(at("2025-03-12T10:42:00-03:00"), now), "12 Mar");
        assert_eq!(en.list_date(at("2025-01-01T00:00:00-03:00"), now), "1 Jan");
        assert_eq!(
            en.list_date(at("2023-03-12T10:42:00-03:00"), now),
            "12 Mar 2023"
        );
        assert_eq!(
            en.list_date(at("2024-12-31T23:00:00-03:00"), now),
            "31 Dec 2024"
        );
    }

    #[test]
    fn portuguese_list_dates_are_relative() {
        let pt = lang("pt-BR");
        let now = at(NOW);
        assert_eq!(pt.list_date(at("2025-03-14T10:42:00-03:00"), now), "10:42");
        assert_eq!(pt.list_date(at("2025-03-13T08:00:00-03:00"), now), "Ontem");
        assert_eq!(
            pt.list_date(at("2025-03-12T10:42:00-03:00"), now),
            "12 de mar."
        );
        assert_eq!(
            pt.list_date(at("2025-09-07T10:42:00-03:00"), now),
            "7 de set."
        );
        assert_eq!(
            pt.list_date(at("2023-03-12T10:42:00-03:00"), now),
            "12/03/2023"
        );
        assert_eq!(
            pt.list_date(at("2024-12-31T23:00:00-03:00"), now),
            "31/12/2024"
        );
    }

    #[test]
    fn yesterday_crosses_month_and_year_ends() {
        let en = lang("en");
        let now = at("2025-01-01T09:00:00+00:00");
        assert_eq!(
            en.list_date(at("2024-12-31T22:00:00+00:00"), now),
            "Yesterday"
        );
        assert_eq!(
            en.list_date(at("2024-12-30T22:00:00+00:00"), now),
            "30 Dec 2024"
        );
    }

    #[test]
    fn a_date_from_the_future_is_not_relative_to_the_past() {
        let en = lang("en");
        let now = at(NOW);
        assert_eq!(en.list_date(at("2025-03-14T18:00:00-03:00"), now), "18:00");
        assert_eq!(en.list_date(at("2025-03-15T18:00:00-03:00"), now), "15 Mar");
        assert_eq!(
            en.list_date(at("2031-03-15T18:00:00-03:00"), now),
            "15 Mar 2031"
        );
    }

    #[test]
    fn full_dates_in_both_languages() {
        let when = at("2025-03-07T16:20:00-03:00");
        assert_eq!(lang("en").full_date(when), "7 Mar 2025 16:20");
        assert_eq!(lang("pt-BR").full_date(when), "7 de mar. de 2025 às 16:20");
    }

    #[test]
    fn date_messages_get_every_date_argument() {
        let msg = date_message("date-full", at(NOW));
        let names: Vec<&str> = msg.args.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, DATE_ARGS);
    }

    #[test]
    fn the_shown_zone_keeps_the_moment() {
        let when = at("2025-03-07T16:20:00-03:00");
        assert_eq!(shown(when), when);
    }
}

//! The values with a syntax of their own: days (`YYYY-MM-DD`) and sizes (`10K`).

use crate::sieve::model::{IsoDate, Size};

#[test]
fn dates_are_days_written_yyyy_mm_dd() {
    for good in [
        "2025-07-01",
        "2024-02-29",
        "1999-12-31",
        "9999-12-31",
        "1000-01-01",
    ] {
        let date = IsoDate::parse(good).unwrap();
        assert_eq!(date.to_string(), good);
        assert_eq!(good.parse::<IsoDate>(), Ok(date));
        assert_eq!(serde_json::to_string(&date).unwrap(), format!("\"{good}\""));
        assert_eq!(
            serde_json::from_str::<IsoDate>(&format!("\"{good}\"")).unwrap(),
            date
        );
    }
    for bad in [
        "",
        "2025-7-1",
        "2025-07-1",
        "2025/07/01",
        "2025-02-29",
        "2025-13-01",
        "2025-00-10",
        "0999-01-01",
        "+2025-07-01",
        "2025-07-01T00:00",
        " 2025-07-01",
        "２０２５-07-01",
        "2025-0a-01",
    ] {
        assert_eq!(IsoDate::parse(bad), None, "{bad}");
        assert!(
            serde_json::from_str::<IsoDate>(&format!("{bad:?}")).is_err(),
            "{bad}"
        );
    }
    let early = chrono::NaiveDate::from_ymd_opt(999, 12, 31).unwrap();
    assert_eq!(
        IsoDate::new(early),
        None,
        "a five-character year would not compare"
    );
}

#[test]
fn sizes_are_numbers_with_an_optional_k_m_or_g() {
    for (text, number, unit) in [
        ("0", 0, None),
        ("500", 500, None),
        ("10K", 10, Some('K')),
        ("10k", 10, Some('K')),
        (" 2M ", 2, Some('M')),
        ("1G", 1, Some('G')),
        ("2097151K", 2097151, Some('K')),
        ("2147483647", 2147483647, None),
    ] {
        assert_eq!(Size::parse(text), Some(Size { number, unit }), "{text}");
    }
    assert_eq!(Size::parse("10k").unwrap().to_string(), "10K");
    for bad in [
        "",
        "K",
        "10 K",
        "10KB",
        "10T",
        "-1",
        "1.5M",
        "2G",
        "2097152K",
        "2147483648",
        "99999999999",
        "١٠",
    ] {
        assert_eq!(Size::parse(bad), None, "{bad}");
    }
}

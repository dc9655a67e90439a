//! English singularization, in the two flavours the SDK's pipeline applies one after the other:
//!
//! - [`segment`]: the OpenAPI formatter singularizes each `.`-segment of an operationId as a
//!   whole (`CreateTemporaryAccessPassMethods` → `…Method`), judging only its ending, and leaves
//!   words that already look singular (`address`, `status`, `analysis`) alone
//!   (`../shared/reference/sdk-generation.md` §2b step 3).
//! - [`word`]: AutoRest singularizes every word of the cmdlet noun on its own (§3 "Subject"),
//!   with the quirks the shipped names carry: `continuous` → `continuou`, `tls` → `tl`,
//!   `sms` → `sm`, `windows` → `window`, `premises` → `premise`, while `statuses`, `rights`,
//!   `credentials`, `media`, `dns` stay.
//!
//! Both are suffix rules plus small word lists, written for the vocabulary of Graph's metadata
//! and checked against `sdk-cmdlets.tsv` (tests/naming.rs), not general-purpose English.

/// Singularizes one lower-case word as the cmdlet-noun stage does.
pub fn word(w: &str) -> String {
    if w.len() <= 1 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return w.to_string();
    }
    // Function words and pronouns are never inflected.
    if matches!(
        w,
        "all"
            | "any"
            | "each"
            | "other"
            | "others"
            | "one"
            | "some"
            | "this"
            | "that"
            | "these"
            | "those"
            | "it"
            | "its"
            | "me"
            | "my"
            | "us"
            | "our"
            | "we"
            | "you"
            | "your"
            | "they"
            | "them"
            | "their"
            | "what"
            | "which"
            | "who"
            | "whose"
            | "both"
    ) {
        return w.to_string();
    }
    // Words the stage treats as uninflected (mass nouns, acronyms, fixed plurals).
    if matches!(
        w,
        "as" | "os"
            | "ms"
            | "dns"
            | "https"
            | "sas"
            | "ddos"
            | "fips"
            | "acls"
            | "bps"
            | "statuses"
            | "statistics"
            | "rights"
            | "credentials"
            | "media"
            | "series"
            | "species"
            | "news"
            | "alias"
            | "information"
            | "traffic"
            | "headquarters"
    ) || w.ends_with("ois")
        || w.ends_with("ism")
        || w.ends_with("itis")
    {
        return w.to_string();
    }
    // The two entries the SDK's generator adds to the stage's dictionary.
    match w {
        "premises" => return "premise".into(),
        "databases" => return "database".into(),
        _ => {}
    }
    // Singular words that end like plurals.
    if matches!(
        w,
        "is" | "has"
            | "was"
            | "status"
            | "analysis"
            | "axis"
            | "basis"
            | "crisis"
            | "diagnosis"
            | "synopsis"
            | "thesis"
            | "synthesis"
            | "hypothesis"
            | "parenthesis"
            | "bus"
            | "gas"
            | "lens"
            | "bonus"
            | "census"
            | "consensus"
            | "apparatus"
            | "nexus"
            | "corpus"
            | "focus"
            | "radius"
            | "campus"
            | "plexus"
            | "sinus"
            | "hiatus"
            | "impetus"
    ) {
        return w.to_string();
    }
    // Irregular plurals.
    let irregular = match w {
        "people" => Some("person"),
        "children" => Some("child"),
        "axes" => Some("axis"),
        "bases" => Some("basis"),
        "analyses" => Some("analysis"),
        "crises" => Some("crisis"),
        "theses" => Some("thesis"),
        "diagnoses" => Some("diagnosis"),
        "syntheses" => Some("synthesis"),
        "indices" => Some("index"),
        "vertices" => Some("vertex"),
        "criteria" => Some("criterion"),
        "phenomena" => Some("phenomenon"),
        "feet" => Some("foot"),
        "teeth" => Some("tooth"),
        "geese" => Some("goose"),
        "mice" => Some("mouse"),
        "lice" => Some("louse"),
        _ => None,
    };
    if let Some(s) = irregular {
        return s.to_string();
    }
    // Plurals of words ending in "se", which the generic "ses" rule would cut too far.
    if let Some(stem) = w.strip_suffix("ses") {
        let singular = format!("{stem}se");
        if SE_WORDS.contains(&singular.as_str()) {
            return singular;
        }
    }
    let cut = |n: usize| w[..w.len() - n].to_string();
    if w.ends_with("men") {
        return cut(2) + "an";
    }
    if w.ends_with("ches") || w.ends_with("shes") || w.ends_with("sses") {
        return cut(2);
    }
    for (suffix, keep) in [
        ("alves", "f"),
        ("elves", "f"),
        ("olves", "f"),
        ("eaves", "f"),
        ("arves", "f"),
    ] {
        if w.ends_with(suffix) {
            return cut(3) + keep;
        }
    }
    if w.ends_with("nives") || w.ends_with("lives") || w.ends_with("wives") {
        return cut(3) + "fe";
    }
    if ["ays", "eys", "iys", "oys", "uys"]
        .iter()
        .any(|s| w.ends_with(s))
    {
        return cut(1);
    }
    if w.ends_with("ies") {
        return cut(3) + "y";
    }
    if ["aos", "eos", "ios", "oos", "uos"]
        .iter()
        .any(|s| w.ends_with(s))
    {
        return cut(1);
    }
    if w.ends_with("ces") {
        return cut(1);
    }
    if w.ends_with("ses") || w.ends_with("xes") || w.ends_with("oes") {
        return cut(2);
    }
    if w.ends_with("ss") {
        return w.to_string();
    }
    if w.ends_with('s') {
        return cut(1);
    }
    w.to_string()
}

/// Singular words ending in "se" whose plurals occur in Graph's names or are common enough to
/// expect there.
const SE_WORDS: &[&str] = &[
    "case",
    "enterprise",
    "expertise",
    "house",
    "license",
    "noise",
    "phase",
    "phrase",
    "promise",
    "purchase",
    "release",
    "response",
    "universe",
    "warehouse",
    "nurse",
    "purse",
    "rose",
];

/// Singularizes an operationId segment as the OpenAPI formatter does: only its ending counts,
/// the case of the kept part is preserved.
pub fn segment(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let ends = |suffix: &str| lower.ends_with(suffix);
    let cut_add = |n: usize, add: &str| format!("{}{}", &s[..s.len() - n], add);
    // Whole segments that never change.
    if matches!(
        lower.as_str(),
        "information"
            | "mail"
            | "series"
            | "species"
            | "metadata"
            | "equipment"
            | "staff"
            | "training"
            | "money"
            | "means"
            | "news"
            | "is"
            | "this"
            | "that"
    ) {
        return s.to_string();
    }
    // The formatter's own exclusions (§2b step 3).
    if ends("data") || ends("delta") || ends("quota") || ends("statistics") {
        return s.to_string();
    }
    if ends("drives") {
        return cut_add(1, "");
    }
    // Irregular endings.
    for (plural, singular) in [
        ("people", "person"),
        ("children", "child"),
        ("databases", "database"),
        ("caches", "cache"),
        ("moves", "move"),
        ("waves", "wave"),
        ("gloves", "glove"),
        ("geese", "goose"),
        ("feet", "foot"),
        ("teeth", "tooth"),
        ("men", "man"),
    ] {
        if ends(plural) {
            let head = &s[..s.len() - plural.len()];
            return format!("{head}{}", keep_case(s, plural, singular));
        }
    }
    // Endings of words that are already singular.
    const SINGULAR_US: &[&str] = &[
        "status",
        "alias",
        "bias",
        "iris",
        "campus",
        "apparatus",
        "virus",
        "walrus",
        "trellis",
    ];
    const SIS_STEMS: &[&str] = &[
        "analy", "ba", "diagno", "parenthe", "progno", "synop", "the", "ellip", "empha", "neuro",
        "oa", "paraly",
    ];
    if ends("ss") || SINGULAR_US.iter().any(|w| ends(w)) {
        return s.to_string();
    }
    if SIS_STEMS.iter().any(|stem| ends(&format!("{stem}sis")))
        || ends("axis")
        || ends("crisis")
        || ends("testis")
    {
        return s.to_string();
    }
    if SINGULAR_US.iter().any(|w| ends(&format!("{w}es"))) {
        return cut_add(2, "");
    }
    if SIS_STEMS.iter().any(|stem| ends(&format!("{stem}ses"))) {
        return cut_add(2, "is");
    }
    if ends("crises") || ends("axes") || ends("testes") {
        return cut_add(2, "is");
    }
    if ends("cookies")
        || ends("rookies")
        || ends("bookies")
        || ends("roomies")
        || ends("smoothies")
        || ends("movies")
    {
        return cut_add(1, "");
    }
    if ends("series") {
        return s.to_string();
    }
    if ends("ies") {
        let before = lower.as_bytes()[lower.len().saturating_sub(4)];
        if lower.len() >= 4 && (!b"aeiouy".contains(&before) || ends("quies")) {
            return cut_add(3, "y");
        }
    }
    if ends("xes") || ends("ches") || ends("sses") || ends("shes") {
        return cut_add(2, "");
    }
    if ends("oes") && lower != "toes" {
        return cut_add(2, "");
    }
    if ends("ves") {
        let stem = &lower[..lower.len() - 3];
        if stem.ends_with('l')
            || stem.ends_with('r')
            || ["hoo", "lea", "loa", "thie"]
                .iter()
                .any(|x| stem.ends_with(x))
        {
            return cut_add(3, "f");
        }
        if stem.ends_with("ti") || stem.ends_with("hi") {
            return cut_add(1, "");
        }
        if !stem.ends_with('f') {
            return cut_add(3, "fe");
        }
    }
    if ends("criteria") || ends("phenomena") {
        return cut_add(1, "on");
    }
    if ends("da") || ends("ta") || ends("ia") {
        return cut_add(1, "um");
    }
    if ends("s") {
        return cut_add(1, "");
    }
    s.to_string()
}

/// `singular`, with its first letter in the case of the plural ending it replaces.
fn keep_case(s: &str, plural: &str, singular: &str) -> String {
    let first_upper = s[s.len() - plural.len()..].starts_with(|c: char| c.is_ascii_uppercase());
    let mut out = singular.to_string();
    if first_upper {
        out[..1].make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        for (plural, singular) in [
            ("users", "user"),
            ("policies", "policy"),
            ("premises", "premise"),
            ("continuous", "continuou"),
            ("tls", "tl"),
            ("sms", "sm"),
            ("windows", "window"),
            ("statuses", "statuses"),
            ("rights", "rights"),
            ("credentials", "credentials"),
            ("media", "media"),
            ("address", "address"),
            ("addresses", "address"),
            ("licenses", "license"),
            ("responses", "response"),
            ("devices", "device"),
            ("mailboxes", "mailbox"),
            ("keys", "key"),
            ("status", "status"),
            ("people", "person"),
            ("auth2", "auth2"),
        ] {
            assert_eq!(word(plural), singular, "{plural}");
        }
    }

    #[test]
    fn segments() {
        for (plural, singular) in [
            ("users", "user"),
            (
                "CreateTemporaryAccessPassMethods",
                "CreateTemporaryAccessPassMethod",
            ),
            ("ListMemberOf", "ListMemberOf"),
            ("mailboxSettings", "mailboxSetting"),
            ("addresses", "address"),
            ("emailAddress", "emailAddress"),
            ("statuses", "status"),
            ("status", "status"),
            ("policies", "policy"),
            ("drives", "drive"),
            ("delta", "delta"),
            ("GetByIds", "GetById"),
            ("people", "person"),
            ("ListDirectReports", "ListDirectReport"),
            ("analysis", "analysis"),
            ("archives", "archive"),
        ] {
            assert_eq!(segment(plural), singular, "{plural}");
        }
    }
}

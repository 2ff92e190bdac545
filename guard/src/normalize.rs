//! Unicode look-alikes folded to ASCII before the command is parsed.
//!
//! A command may spell a program with Cyrillic or Greek look-alike letters, as a fullwidth `ｒｍ`,
//! or an option with an en dash (`–rf`). NFKC folds the compatibility forms (fullwidth letters,
//! ligatures, superscripts); [`CONFUSABLES`] then maps the letters, dashes and slashes that NFKC
//! keeps but that read as ASCII. Folding can only add structure the shell would not see (a
//! fullwidth `；` becomes `;`), so the guard errs on the side of seeing more commands, never fewer.

use unicode_normalization::UnicodeNormalization;

/// Characters that look like an ASCII character and that NFKC leaves alone.
const CONFUSABLES: &[(char, char)] = &[
    // Cyrillic lower case
    ('а', 'a'),
    ('в', 'b'),
    ('с', 'c'),
    ('ԁ', 'd'),
    ('е', 'e'),
    ('һ', 'h'),
    ('і', 'i'),
    ('ј', 'j'),
    ('к', 'k'),
    ('ӏ', 'l'),
    ('м', 'm'),
    ('п', 'n'),
    ('о', 'o'),
    ('р', 'p'),
    ('ԛ', 'q'),
    ('г', 'r'),
    ('ѕ', 's'),
    ('т', 't'),
    ('ѵ', 'v'),
    ('ԝ', 'w'),
    ('х', 'x'),
    ('у', 'y'),
    // Cyrillic upper case
    ('А', 'A'),
    ('В', 'B'),
    ('С', 'C'),
    ('Е', 'E'),
    ('Н', 'H'),
    ('І', 'I'),
    ('Ј', 'J'),
    ('К', 'K'),
    ('М', 'M'),
    ('О', 'O'),
    ('Р', 'P'),
    ('Ѕ', 'S'),
    ('Т', 'T'),
    ('Х', 'X'),
    ('У', 'Y'),
    // Greek
    ('α', 'a'),
    ('ε', 'e'),
    ('ι', 'i'),
    ('κ', 'k'),
    ('ν', 'v'),
    ('ο', 'o'),
    ('ρ', 'p'),
    ('τ', 't'),
    ('υ', 'u'),
    ('χ', 'x'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Χ', 'X'),
    ('Υ', 'Y'),
    ('Ζ', 'Z'),
    // Latin letters outside ASCII that read as ASCII
    ('ı', 'i'),
    ('ȷ', 'j'),
    ('ɡ', 'g'),
    ('ɑ', 'a'),
    ('ʀ', 'r'),
    ('ꜱ', 's'),
    // dashes and minus signs
    ('\u{2010}', '-'),
    ('\u{2011}', '-'),
    ('\u{2012}', '-'),
    ('\u{2013}', '-'),
    ('\u{2014}', '-'),
    ('\u{2015}', '-'),
    ('\u{2043}', '-'),
    ('\u{2212}', '-'),
    ('\u{FE58}', '-'),
    ('\u{FE63}', '-'),
    // slashes
    ('\u{2044}', '/'),
    ('\u{2215}', '/'),
    ('\u{29F8}', '/'),
    ('\u{FF0F}', '/'),
    // spaces that a shell does not split on but a reader sees as one
    ('\u{00A0}', ' '),
    ('\u{2007}', ' '),
    ('\u{202F}', ' '),
];

/// `text` in NFKC with the look-alikes of [`CONFUSABLES`] replaced by their ASCII twins, and
/// invisible format characters (zero-width spaces and joiners, the BOM) removed.
pub fn fold(text: &str) -> String {
    text.nfkc()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'))
        .map(|c| CONFUSABLES.iter().find(|(from, _)| *from == c).map_or(c, |(_, to)| *to))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn look_alikes_fold_to_ascii() {
        assert_eq!(fold("ｒｍ －ｒｆ ／"), "rm -rf /");
        assert_eq!(fold("rm \u{2013}rf /"), "rm -rf /");
        assert_eq!(fold("kubectl dеlеtе ns prod"), "kubectl delete ns prod");
        assert_eq!(fold("r\u{200B}m"), "rm");
        assert_eq!(fold("git commit -m café"), "git commit -m café");
    }
}

//! A compact built-in table of English given-name equivalents (nicknames, short forms and common
//! spelling variants). Two names are equivalent when some group holds both: `liz` ≡ `elizabeth`
//! and `beth` ≡ `elizabeth`, `sam` ≡ `samuel` and `sam` ≡ `samantha`, but `samuel` ≢ `samantha`.
//! Names are written folded (lower-case ASCII), as `normalise::name` produces them.
//!
//! The table deliberately omits spelling variants of distinct names parents give to twins
//! (`aidan`/`aiden`): equivalence lifts the twin and sibling safeguards.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Each line is one group of equivalent names; the first is the formal name.
const GROUPS: &[&str] = &[
    "elizabeth liz lizzie lizzy liza eliza beth betty bette betsy bess bessie libby lisa elsie",
    "robert rob robbie bob bobby bert",
    "samuel sam sammy sammie",
    "samantha sam sammy sammie sami",
    "alexander alex alec xander sandy lex",
    "alexandra alex alexa lexi lexie sandra sandy alix",
    "catherine katherine kathryn katharine kate katie katy kat cathy kathy kath cath kitty cate",
    "john jack johnny jon jonny johnnie",
    "jonathan jon jonny",
    "william will bill billy willie willy liam wills",
    "thomas tom tommy thom",
    "james jim jimmy jamie jem jimmie",
    "richard rich rick ricky dick richie dickie",
    "michael mike mikey mick micky mickey",
    "edward ed eddie eddy ted teddy ned",
    "edmund ed eddie ned",
    "edwin ed eddie",
    "margaret maggie meg peggy marge margie madge",
    "daniel dan danny",
    "danielle daniela dani",
    "joseph joe joey jo",
    "josephine jo josie",
    "joanna joanne jo",
    "benjamin ben benny benji benjy",
    "matthew matt matty mat",
    "christopher chris kit topher",
    "christine christina chris chrissy tina kirsty christie",
    "anthony tony ant",
    "andrew andy drew",
    "nicholas nick nicky nico nic",
    "nicola nicole nicky nikki nic",
    "jennifer jen jenny jenni",
    "rebecca becky becca bex",
    "victoria vicky vicki tori vic",
    "abigail abby abbie abi gail",
    "charlotte charlie lottie lotte",
    "charles charlie chas chuck charley",
    "frederick fredrick fred freddie freddy",
    "henry harry hal hank",
    "harold harry hal",
    "harrison harry",
    "patricia pat patty trish tricia patsy",
    "patrick pat paddy",
    "peter pete",
    "david dave davy davie",
    "stephen steven steve stevie",
    "stephanie steph steffi stevie",
    "susan sue susie suzy susanna susannah suzanne",
    "deborah debbie deb debby debra",
    "timothy tim timmy",
    "anne ann anna annie nan nancy",
    "mary molly polly mae may",
    "sarah sara sally sadie",
    "jessica jess jessie",
    "gabriel gabe",
    "gabriella gabrielle gabby gabi",
    "oliver ollie olly",
    "olivia liv livvy ollie livia",
    "eleanor elinor ellie nell nellie nora",
    "helen helena nell nellie lena",
    "isabel isabella isabelle isobel izzy izzie bella issy",
    "annabel annabelle bella",
    "kimberley kimberly kim",
    "theodore theo ted teddy",
    "zachary zach zack zak",
    "joshua josh",
    "nathaniel nathan nate nat",
    "jacob jake jack",
    "lucy lucie lucinda",
    "amelia millie amy",
    "emily emmy emmie millie",
    "emma emmy emmie",
    "amanda mandy",
    "leonard leo len lenny",
    "lawrence laurence larry laurie",
    "louis lewis lou louie",
    "louise louisa lou lulu",
    "ronald ron ronnie",
    "donald don donnie",
    "kenneth ken kenny",
    "gregory greg",
    "jeffrey geoffrey jeff geoff",
    "raymond ray",
    "douglas doug dougie",
    "gerald gerry jerry",
    "jeremy jerry jez",
    "philip phillip phil pip",
    "stuart stewart stu",
    "terence terrence terry",
    "vincent vince vinny",
    "walter walt wally",
    "albert al bert bertie",
    "alfred alfie alf fred",
    "archibald archie",
    "frances fran frankie fanny",
    "francis frank frankie fran",
    "dorothy dot dottie dolly dora",
    "evelyn evie eve",
    "florence flo florrie flossie",
    "georgina georgia georgie gina",
    "george georgie geordie",
    "harriet hattie hatty",
    "jacqueline jackie jacqui jacky",
    "judith judy jude",
    "madeleine madeline maddie maddy",
    "matilda tilly tillie tilda",
    "megan meg meggie",
    "natalie natalia nat",
    "natasha tasha tash",
    "pamela pam",
    "penelope penny",
    "rosemary rose rosie",
    "sophie sophia soph",
    "teresa theresa tess tessa terri",
    "valerie val",
    "zoe zoey",
    "mohammed muhammad mohammad mohamed muhammed mohamad mo",
    "dominic dom",
    "sebastian seb",
    "maximilian max",
    "maxwell max",
    "tobias toby",
    "cynthia cindy",
    "jasmine jas jaz",
    "bradley brad",
    "alison allison ali",
    "alistair alasdair alastair ali",
    "caroline carolyn carol carrie",
    "michelle michele shelly",
    "sean shaun shawn",
    "kieran ciaran",
    "bartholomew bart",
    "augustus gus",
    "angus gus",
    "gwendolyn gwen",
    "kathleen kath kathy",
    "jillian gillian jill gill",
    "nathalie natalie",
];

/// True when the two folded given names are equivalent by the table (equal names are not
/// looked up: the caller has an exact level for them).
pub fn equivalent(a: &str, b: &str) -> bool {
    let table = table();
    match (table.get(a), table.get(b)) {
        (Some(left), Some(right)) => left.iter().any(|group| right.contains(group)),
        _ => false,
    }
}

fn table() -> &'static HashMap<&'static str, Vec<u16>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<u16>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for (group, line) in GROUPS.iter().enumerate() {
            for name in line.split_whitespace() {
                table.entry(name).or_default().push(group as u16);
            }
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_are_equivalent_to_their_formal_names() {
        for (a, b) in [
            ("liz", "elizabeth"),
            ("beth", "elizabeth"),
            ("liz", "beth"),
            ("bob", "robert"),
            ("sam", "samuel"),
            ("sam", "samantha"),
            ("alex", "alexander"),
            ("alex", "alexandra"),
            ("kate", "catherine"),
            ("katie", "catherine"),
            ("jack", "john"),
            ("jack", "jacob"),
            ("bill", "william"),
            ("tom", "thomas"),
        ] {
            assert!(equivalent(a, b), "{a} ≡ {b}");
            assert!(equivalent(b, a), "{b} ≡ {a}");
        }
    }

    #[test]
    fn different_names_are_not_equivalent() {
        for (a, b) in [
            ("samuel", "samantha"),
            ("john", "jacob"),
            ("alexander", "alexandra"),
            ("aidan", "aiden"),
            ("tom", "william"),
            ("unknownname", "elizabeth"),
        ] {
            assert!(!equivalent(a, b), "{a} ≢ {b}");
        }
    }

    #[test]
    fn the_table_has_about_a_hundred_groups_of_folded_names() {
        assert!(GROUPS.len() >= 100);
        let names: usize = GROUPS.iter().map(|g| g.split_whitespace().count()).sum();
        assert!(names > 350, "{names}");
        for name in GROUPS.iter().flat_map(|g| g.split_whitespace()) {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase()), "{name}");
        }
    }
}

//! The short built-in lists people are drawn from: given and family names, streets, invented
//! place-like names for schools and practices, Kent postcode districts, relative numbers
//! referred at each age (most are 8–18), and ethnic categories in rough proportion for young
//! people in England.

use nwd_domain::codes::EthnicCategory as E;

pub(super) const GIVEN_FEMALE: [&str; 30] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace",
    "Freya", "Emily", "Poppy", "Ella", "Evie", "Chloe", "Jessica", "Ruby", "Daisy", "Aisha",
    "Maryam", "Zara", "Hannah", "Maja", "Amira", "Priya", "Leah", "Niamh", "Erin", "Sienna",
];
pub(super) const GIVEN_MALE: [&str; 30] = [
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry",
    "Jack", "Charlie", "Freddie", "Theo", "Alfie", "Jacob", "Thomas", "Joshua", "Ethan", "Samuel",
    "Adam", "Yusuf", "Ibrahim", "Jakub", "Kai", "Reuben", "Callum", "Dylan", "Rohan", "Tyler",
];
pub(super) const FAMILY: [&str; 50] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Singh", "Kaur", "Begum",
    "Nowak", "Kowalski", "Popescu", "Okafor", "Mensah", "Campbell", "Murphy", "Kelly", "Hughes",
    "Edwards", "Turner", "Hill", "Cooper", "Ward", "Morris", "King", "Baker", "Harris", "Lewis",
    "Gurung", "Rai", "Chen",
];
pub(super) const STREETS: [&str; 14] = [
    "Orchard",
    "Station",
    "Church",
    "Hop Garden",
    "Mill",
    "Oast",
    "Chalk Pit",
    "Cherry Tree",
    "Shingle",
    "Harbour",
    "Marsh",
    "Bramley",
    "Cobnut",
    "Weald",
];
pub(super) const STREET_KINDS: [&str; 6] = ["Road", "Lane", "Close", "Avenue", "Way", "Drive"];
/// Invented place-like names for schools and practices.
pub(crate) const PLACES: [&str; 16] = [
    "Hawthorn Lane",
    "Orchard Vale",
    "Kingsdown Park",
    "Marshside",
    "Harbour View",
    "Bluebell Rise",
    "Cobtree",
    "Larkfield Green",
    "Saltings",
    "Holloway Bank",
    "Beacon Down",
    "Chantry Mead",
    "Ridgeway",
    "Sandpiper",
    "Oakhurst",
    "Wealden Edge",
];
/// Kent postcode districts (ME, CT, TN, DA) used for addresses.
pub(crate) const DISTRICTS: [&str; 67] = [
    "ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8", "ME10", "ME12", "ME13", "ME14", "ME15",
    "ME16", "ME17", "ME18", "ME19", "ME20", "CT1", "CT2", "CT3", "CT4", "CT5", "CT6", "CT7", "CT8",
    "CT9", "CT10", "CT11", "CT12", "CT13", "CT14", "CT15", "CT16", "CT17", "CT18", "CT19", "CT20",
    "CT21", "DA1", "DA2", "DA3", "DA4", "DA9", "DA10", "DA11", "DA12", "DA13", "TN1", "TN2", "TN3",
    "TN4", "TN8", "TN9", "TN10", "TN11", "TN12", "TN13", "TN14", "TN15", "TN16", "TN17", "TN18",
    "TN23", "TN24", "TN25", "TN26", "TN27",
];
/// Letters Royal Mail uses in the inward code.
pub(super) const INWARD_LETTERS: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Relative numbers referred at each age 0–25: most are 8–18.
pub(super) const AGE_WEIGHTS: [u32; 26] = [
    1, 1, 2, 3, 5, 7, 9, 11, 14, 16, 18, 22, 26, 30, 34, 36, 36, 32, 20, 14, 11, 9, 8, 7, 6, 5,
];

/// Ethnic categories in rough proportion for young people in England (2021 census shape).
pub(super) const ETHNICITY: [(E, u32); 18] = [
    (E::WhiteBritish, 700),
    (E::WhiteIrish, 5),
    (E::WhiteOther, 65),
    (E::MixedWhiteBlackCaribbean, 12),
    (E::MixedWhiteBlackAfrican, 7),
    (E::MixedWhiteAsian, 12),
    (E::MixedOther, 12),
    (E::AsianIndian, 33),
    (E::AsianPakistani, 35),
    (E::AsianBangladeshi, 14),
    (E::AsianOther, 16),
    (E::BlackCaribbean, 10),
    (E::BlackAfrican, 30),
    (E::BlackOther, 6),
    (E::Chinese, 6),
    (E::OtherEthnicGroup, 22),
    (E::NotStated, 15),
    (E::NotKnown, 20),
];

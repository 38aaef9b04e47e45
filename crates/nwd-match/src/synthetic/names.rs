//! Built-in tables for the synthetic register: given names (most popular first), English and
//! Welsh surnames with rough frequencies, syllables for a long tail of rarer surnames, the short
//! forms people actually write on referral forms, similar names parents give twins, and Kent
//! towns, postcode districts and street names. Nobody here is real.

/// Girls' given names, roughly by popularity in England and Wales 2000–2024 (most popular first).
#[rustfmt::skip]
pub(super) const GIVEN_FEMALE: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
    "Lily", "Evie", "Isabella", "Jessica", "Sophie", "Charlotte", "Chloe", "Ruby", "Daisy",
    "Freya", "Alice", "Florence", "Sienna", "Isabelle", "Phoebe", "Evelyn", "Matilda", "Elsie",
    "Rosie", "Scarlett", "Ivy", "Willow", "Harriet", "Lucy", "Millie", "Emma", "Hannah", "Holly",
    "Erin", "Megan", "Lauren", "Katie", "Amy", "Rebecca", "Eleanor", "Abigail", "Molly",
    "Bethany", "Georgia", "Elizabeth", "Katherine", "Victoria", "Samantha", "Alexandra",
    "Jennifer", "Natasha", "Madeleine", "Georgina", "Gabriella", "Rachel", "Laura", "Leah",
    "Zara", "Maya", "Esme", "Imogen", "Eliza", "Harper", "Aria", "Layla", "Zoe", "Thea",
    "Violet", "Penelope", "Luna", "Aisha", "Maryam", "Amira", "Fatima", "Priya", "Niamh",
    "Ellie", "Caitlin", "Jasmine", "Paige", "Amber", "Courtney", "Jade", "Shannon", "Abbie",
    "Nicole", "Naomi", "Lydia", "Anna", "Sarah", "Kayla", "Libby", "Beatrice", "Clara", "Edith",
    "Ada", "Iris", "Hallie", "Maisie", "Lola", "Lexi", "Darcy", "Bella", "Summer", "Skye",
    "Mollie", "Tilly", "Heidi", "Orla", "Aimee", "Keira", "Bonnie", "Robyn", "Eden", "Aurora",
    "Hazel", "Nancy", "Mabel", "Emilia", "Lila", "Ayesha", "Zainab", "Hafsa", "Maja", "Zuzanna",
    "Amelie", "Francesca", "Lucia", "Olive", "Rose", "Annabel", "Josephine", "Rosemary",
    "Stephanie", "Danielle", "Natalie", "Frances", "Caroline", "Louise", "Helen", "Kimberley",
    "Alison", "Gemma", "Chelsea", "Lara", "Nadia", "Tia", "Faith", "Hope",
];

/// Boys' given names, roughly by popularity in England and Wales 2000–2024 (most popular first).
#[rustfmt::skip]
pub(super) const GIVEN_MALE: &[&str] = &[
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie", "Oscar",
    "Jacob", "Henry", "Thomas", "Freddie", "Alfie", "Theo", "William", "Theodore", "Archie",
    "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley", "Max",
    "Logan", "Ethan", "Mason", "Harrison", "Joseph", "Samuel", "Daniel", "Benjamin", "Sebastian",
    "Adam", "Dylan", "Zachary", "Riley", "Teddy", "Toby", "Reuben", "Louie", "Elijah", "Jaxon",
    "Hugo", "Luca", "Jude", "Albert", "Frankie", "Rory", "Ronnie", "Stanley", "Louis", "Matthew",
    "Luke", "Ryan", "Nathan", "Lewis", "Callum", "Connor", "Kieran", "Jordan", "Liam", "Tyler",
    "Jake", "Bradley", "Christopher", "Nicholas", "Michael", "David", "Andrew", "Robert",
    "Richard", "Anthony", "Jonathan", "Dominic", "Maximilian", "Tobias", "Frederick",
    "Nathaniel", "Alfred", "Harvey", "Kai", "Rohan", "Yusuf", "Ibrahim", "Ali", "Omar", "Hamza",
    "Ayaan", "Zayn", "Arjun", "Jakub", "Oskar", "Filip", "Aaron", "Cameron", "Kyle", "Owen",
    "Evan", "Jamie", "Sean", "Declan", "Patrick", "Aidan", "Aiden", "Caleb", "Gabriel", "Elliot",
    "Felix", "Jasper", "Otis", "Ezra", "Rowan", "Ralph", "Reggie", "Bobby", "Jesse", "Jenson",
    "Carter", "Blake", "Ellis", "Harley", "Jayden", "Morgan", "Spencer", "Tristan", "Vincent",
    "Stephen", "Peter", "Mark", "Paul", "Simon", "Scott", "Craig", "Dean", "Ashton", "Brandon",
    "Charles", "Francis", "Gregory", "Timothy", "Stuart", "Ben", "Michal", "Kacper",
];

/// Short forms written on referral forms in place of the registered name.
pub(super) const NICKNAMES: &[(&str, &[&str])] = &[
    ("Elizabeth", &["Liz", "Lizzie", "Beth", "Libby"]),
    ("William", &["Will", "Bill", "Billy"]),
    ("Katherine", &["Kate", "Katie", "Kat"]),
    ("Alexander", &["Alex", "Xander"]),
    ("Alexandra", &["Alex", "Lexi"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Samantha", &["Sam", "Sammie"]),
    ("Jessica", &["Jess", "Jessie"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Olivia", &["Liv", "Livvy"]),
    ("James", &["Jamie", "Jim"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Benjamin", &["Ben", "Benji"]),
    ("Matthew", &["Matt"]),
    ("Christopher", &["Chris"]),
    ("Nicholas", &["Nick", "Nicky"]),
    ("Michael", &["Mike", "Mikey"]),
    ("David", &["Dave"]),
    ("Andrew", &["Andy"]),
    ("Robert", &["Rob", "Bobby"]),
    ("Richard", &["Rich", "Ricky"]),
    ("Anthony", &["Tony"]),
    ("Jonathan", &["Jon", "Jonny"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Abigail", &["Abby", "Abi"]),
    ("Charlotte", &["Lottie", "Charlie"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Isabella", &["Bella", "Izzy"]),
    ("Isabelle", &["Izzy", "Issy"]),
    ("Eleanor", &["Ellie", "Nell"]),
    ("Oliver", &["Ollie", "Olly"]),
    ("Joshua", &["Josh"]),
    ("Zachary", &["Zach", "Zak"]),
    ("Theodore", &["Theo", "Teddy"]),
    ("Nathaniel", &["Nate", "Nat"]),
    ("Jacob", &["Jake", "Jack"]),
    ("Frederick", &["Fred", "Freddie"]),
    ("Henry", &["Harry"]),
    ("Harrison", &["Harry"]),
    ("Alfred", &["Alfie", "Alf"]),
    ("Harriet", &["Hattie"]),
    ("Matilda", &["Tilly", "Tilda"]),
    ("Madeleine", &["Maddie"]),
    ("Georgina", &["Georgie", "Gina"]),
    ("Gabriella", &["Gabby"]),
    ("Natasha", &["Tash", "Tasha"]),
    ("Dominic", &["Dom"]),
    ("Sebastian", &["Seb"]),
    ("Maximilian", &["Max"]),
    ("Tobias", &["Toby"]),
    ("Sophie", &["Soph"]),
    ("Stephanie", &["Steph"]),
    ("Danielle", &["Dani"]),
    ("Natalie", &["Nat"]),
    ("Frances", &["Fran"]),
    ("Francis", &["Frank"]),
    ("Caroline", &["Carrie"]),
    ("Josephine", &["Josie", "Jo"]),
    ("Rosemary", &["Rosie"]),
    ("Florence", &["Flo", "Florrie"]),
    ("Evelyn", &["Evie"]),
    ("Amelia", &["Millie"]),
    ("Megan", &["Meg"]),
    ("Jasmine", &["Jas"]),
    ("Kimberley", &["Kim"]),
    ("Timothy", &["Tim"]),
    ("Gregory", &["Greg"]),
    ("Stuart", &["Stu"]),
    ("Peter", &["Pete"]),
    ("Charles", &["Charlie"]),
    ("Muhammad", &["Mo"]),
    ("Stephen", &["Steve"]),
    ("Callum", &["Cal"]),
    ("Cameron", &["Cam"]),
    ("Bradley", &["Brad"]),
    ("Patrick", &["Paddy"]),
    ("Louis", &["Lou"]),
    ("Louise", &["Lou"]),
    ("Beatrice", &["Bea"]),
    ("Penelope", &["Penny"]),
    ("Annabel", &["Bella"]),
    ("Imogen", &["Immy"]),
    ("Gabriel", &["Gabe"]),
    ("Jakub", &["Kuba"]),
];

/// Spellings and forms of one name that parents do not give to two of their children (the
/// short forms in [`NICKNAMES`] are kept apart too).
pub(super) const SAME_NAME: &[&[&str]] = &[
    &["Louis", "Lewis", "Louie"],
    &["Isabella", "Isabelle", "Bella"],
    &["Sophie", "Sophia"],
    &["Amelia", "Amy", "Millie"],
    &["Emily", "Millie"],
    &["Jacob", "Jake", "Jack"],
    &["Mollie", "Molly"],
    &["Zoe", "Zoey"],
    &["Rose", "Rosie", "Rosemary"],
    &["Abigail", "Abbie", "Abby"],
    &["Georgia", "Georgina", "Georgie"],
    &["Elizabeth", "Eliza", "Libby", "Elsie"],
    &["Frances", "Francis", "Frankie"],
    &["William", "Liam"],
    &["Edward", "Teddy"],
    &["Nathan", "Nathaniel"],
];

/// Similar, but different, names parents give twins (not nicknames of each other).
pub(super) const TWIN_NAME_PAIRS: &[(&str, &str)] = &[
    ("Ella", "Ellie"),
    ("Aidan", "Aiden"),
    ("Amelia", "Emilia"),
    ("Lily", "Lila"),
    ("Harry", "Harvey"),
    ("Mia", "Maya"),
    ("Evan", "Ethan"),
    ("Leo", "Luca"),
    ("Isla", "Ivy"),
    ("Ruby", "Rosie"),
    ("Oscar", "Otis"),
    ("Freddie", "Frankie"),
    ("Alfie", "Archie"),
    ("Holly", "Molly"),
    ("Millie", "Mollie"),
    ("Olivia", "Olive"),
    ("Jacob", "Joshua"),
    ("Lola", "Lila"),
    ("Jasper", "Jesse"),
    ("Michal", "Jakub"),
];

/// Common surnames with approximate occurrences per 100,000 people in England and Wales; the
/// rest of the population takes a surname from the generated long tail.
#[rustfmt::skip]
pub(super) const SURNAMES: &[(&str, u32)] = &[
    ("Smith", 1150), ("Jones", 950), ("Williams", 630), ("Taylor", 530), ("Brown", 530),
    ("Davies", 460), ("Evans", 390), ("Wilson", 330), ("Thomas", 320), ("Johnson", 310),
    ("Roberts", 310), ("Robinson", 270), ("Thompson", 260), ("Wright", 250), ("Walker", 250),
    ("White", 240), ("Edwards", 230), ("Hughes", 230), ("Green", 220), ("Hall", 220),
    ("Lewis", 210), ("Harris", 210), ("Clarke", 200), ("Patel", 200), ("Jackson", 190),
    ("Wood", 190), ("Turner", 180), ("Martin", 180), ("Cooper", 180), ("Hill", 180),
    ("Ward", 170), ("Morris", 170), ("Moore", 170), ("Clark", 170), ("Lee", 160), ("King", 160),
    ("Baker", 160), ("Harrison", 160), ("Morgan", 150), ("Allen", 150), ("James", 150),
    ("Scott", 150), ("Phillips", 140), ("Watson", 140), ("Davis", 140), ("Parker", 140),
    ("Price", 130), ("Bennett", 130), ("Young", 130), ("Griffiths", 130), ("Mitchell", 130),
    ("Kelly", 130), ("Cook", 130), ("Carter", 130), ("Richardson", 120), ("Bailey", 120),
    ("Collins", 120), ("Bell", 120), ("Shaw", 120), ("Murphy", 120), ("Miller", 120),
    ("Cox", 120), ("Richards", 110), ("Khan", 110), ("Marshall", 110), ("Anderson", 110),
    ("Simpson", 110), ("Ellis", 110), ("Adams", 110), ("Singh", 110), ("Begum", 110),
    ("Wilkinson", 100), ("Foster", 100), ("Chapman", 100), ("Powell", 100), ("Webb", 100),
    ("Rogers", 100), ("Gray", 100), ("Mason", 100), ("Ali", 100), ("Hunt", 100),
    ("Hussain", 100), ("Campbell", 100), ("Matthews", 100), ("Owen", 100), ("Palmer", 90),
    ("Holmes", 90), ("Mills", 90), ("Barnes", 90), ("Knight", 90), ("Lloyd", 90),
    ("Butler", 90), ("Russell", 90), ("Barker", 90), ("Fisher", 90), ("Stevens", 90),
    ("Jenkins", 90), ("Murray", 90), ("Dixon", 90), ("Harvey", 90), ("Graham", 80),
    ("Pearson", 80), ("Ahmed", 80), ("Fletcher", 80), ("Walsh", 80), ("Kaur", 80),
    ("Gibson", 80), ("Howard", 80), ("Andrews", 80), ("Stewart", 80), ("Elliott", 80),
    ("Reynolds", 80), ("Saunders", 80), ("Payne", 80), ("Fox", 80), ("Ford", 80),
    ("Pearce", 80), ("Day", 70), ("Brooks", 70), ("West", 70), ("Lawrence", 70), ("Cole", 70),
    ("Atkinson", 70), ("Bradley", 70), ("Spencer", 70), ("Gill", 70), ("Dawson", 70),
    ("Ball", 70), ("Burton", 70), ("O'Brien", 70), ("Watts", 70), ("Rose", 70), ("Booth", 70),
    ("Perry", 70), ("Ryan", 70), ("Grant", 70), ("Wells", 70), ("Armstrong", 70),
    ("Francis", 70), ("Rees", 70), ("Hayes", 70), ("Hart", 70), ("Hudson", 70), ("Newman", 70),
    ("Barrett", 70), ("Webster", 70), ("Hunter", 70), ("Gregory", 60), ("Carr", 60),
    ("Lowe", 60), ("Page", 60), ("Marsh", 60), ("Riley", 60), ("Dunn", 60), ("Woods", 60),
    ("Parsons", 60), ("Berry", 60), ("Stone", 60), ("Reid", 60), ("Holland", 60),
    ("Hawkins", 60), ("Harding", 60), ("Porter", 60), ("Robertson", 60), ("Newton", 60),
    ("Oliver", 60), ("Reed", 60), ("Kennedy", 60), ("Williamson", 60), ("Bird", 60),
    ("Gardner", 60), ("Shah", 60), ("Dean", 60), ("Lane", 60), ("Cooke", 60), ("Bates", 60),
    ("Henderson", 60), ("Parry", 60), ("Burgess", 60), ("Bishop", 60), ("Walton", 60),
    ("Burns", 60), ("Nicholson", 60), ("Shepherd", 60), ("Ross", 60), ("Cross", 60),
    ("Long", 60), ("Freeman", 60), ("Warren", 60), ("Nicholls", 60), ("Hamilton", 60),
    ("Byrne", 60), ("Sutton", 60), ("McDonald", 60), ("Yates", 60), ("Hodgson", 60),
    ("Robson", 60), ("Curtis", 60), ("Hopkins", 60), ("O'Connor", 60), ("Harper", 60),
    ("Coleman", 60), ("Watkins", 60), ("Moss", 60), ("McCarthy", 60), ("Chambers", 60),
    ("O'Neill", 60), ("Griffin", 60), ("Sharp", 60), ("Hardy", 60), ("Wheeler", 60),
    ("Potter", 60), ("Osborne", 60), ("Johnston", 60), ("Gordon", 60), ("Doyle", 60),
    ("Wallace", 60), ("George", 60), ("Jordan", 60), ("Hutchinson", 60), ("Nowak", 40),
    ("Kowalski", 40), ("Okafor", 40), ("Mensah", 40), ("Adeyemi", 40), ("Chen", 40),
    ("Nguyen", 40), ("Gurung", 40), ("Rai", 40), ("Popescu", 40), ("Hassan", 40),
    ("Mahmood", 40), ("Akhtar", 40), ("Rahman", 40), ("Islam", 40), ("Miah", 40),
    ("Uddin", 40), ("Chowdhury", 40), ("Iqbal", 40), ("Malik", 40),
];

/// First halves of the generated long-tail surnames (`Ash` + `worth`).
#[rustfmt::skip]
pub(super) const TAIL_PREFIXES: &[&str] = &[
    "Ash", "Black", "Brad", "Brook", "Bur", "Cal", "Chad", "Chester", "Clif", "Cold", "Crom",
    "Dal", "Dar", "Den", "Dun", "Eld", "Fair", "Farn", "Fen", "Gold", "Good", "Green", "Hal",
    "Hart", "Haw", "Hay", "Heath", "Hol", "Hollings", "Horn", "Kings", "Lang", "Lind", "Lock",
    "Mar", "Mid", "Mil", "Nor", "Oak", "Pen", "Pick", "Rad", "Red", "Rock", "Rother", "Rush",
    "Sand", "Shel", "Small", "Stan", "Stock", "Sud", "Thorn", "Wal", "Wath", "Wed", "Went",
    "West", "Whit", "Win", "Wood", "Wy",
];

/// Second halves of the generated long-tail surnames.
#[rustfmt::skip]
pub(super) const TAIL_SUFFIXES: &[&str] = &[
    "worth", "well", "ley", "ton", "field", "ford", "by", "ham", "wood", "combe", "hurst",
    "more", "dale", "brook", "bury", "stone", "wick", "sby", "thorpe", "croft", "shaw", "bridge",
    "land", "gate", "ridge", "low", "den", "hill", "man", "son", "er", "ing", "ock", "away",
    "ell", "cott", "holme", "stead", "mere", "fold",
];

/// Kent towns and the postcode districts that serve them.
pub(super) const TOWNS: &[(&str, &[&str])] = &[
    ("Maidstone", &["ME14", "ME15", "ME16"]),
    ("Chatham", &["ME4", "ME5"]),
    ("Gillingham", &["ME7", "ME8"]),
    ("Rochester", &["ME1", "ME2"]),
    ("Sittingbourne", &["ME10"]),
    ("Faversham", &["ME13"]),
    ("Sheerness", &["ME12"]),
    ("Canterbury", &["CT1", "CT2"]),
    ("Whitstable", &["CT5"]),
    ("Herne Bay", &["CT6"]),
    ("Margate", &["CT9"]),
    ("Ramsgate", &["CT11", "CT12"]),
    ("Deal", &["CT14"]),
    ("Dover", &["CT16", "CT17"]),
    ("Folkestone", &["CT19", "CT20"]),
    ("Ashford", &["TN23", "TN24"]),
    ("Tunbridge Wells", &["TN1", "TN2", "TN4"]),
    ("Tonbridge", &["TN9", "TN10", "TN11"]),
    ("Sevenoaks", &["TN13", "TN14"]),
    ("Dartford", &["DA1", "DA2"]),
    ("Gravesend", &["DA11", "DA12"]),
];

/// Street names (the kind, `Road` or `Close`, is drawn separately).
#[rustfmt::skip]
pub(super) const STREET_NAMES: &[&str] = &[
    "Orchard", "Station", "Church", "Hop Garden", "Mill", "Oast", "Chalk Pit", "Cherry Tree",
    "Shingle", "Harbour", "Marsh", "Bramley", "Cobnut", "Weald", "High", "London", "Victoria",
    "Albert", "Queens", "Kings", "Park", "Manor", "Chestnut", "Oak", "Beech", "Elm", "Willow",
    "Hawthorn", "Ash", "Maple", "Rowan", "Lime", "Poplar", "Holly", "Ivy", "Meadow", "Field",
    "Brook", "River", "Bridge", "Castle", "Abbey", "Priory", "Vicarage", "Rectory", "School",
    "Windmill", "Forge", "Granary", "Barn", "Dairy", "Farm", "Grange", "Court", "Hill",
    "Valley", "Downs", "Ridge", "Cliff", "Sea", "Marine", "Coast", "Beach", "Dock", "Canal",
    "Railway", "Newton", "Nelson", "Wellington", "Trafalgar", "Waterloo", "Cromwell", "Tudor",
    "Stuart", "Windsor", "York", "Clarence", "Gordon", "Milton", "Shakespeare", "Dickens",
    "Darwin", "Faraday", "Stephenson", "Brunel", "Churchill", "Kent", "Sussex", "Surrey",
    "Essex", "Thanet", "Medway", "Stour", "Len", "Darent", "Swale", "Romney", "Sandwich",
];

/// Words that make a second street of a name (`Upper Mill Lane`, `Old Church Road`): towns of
/// a million-person register need more distinct streets than the names above give.
pub(super) const STREET_QUALIFIERS: &[&str] = &[
    "Upper", "Lower", "Old", "New", "Little", "Great", "North", "South", "East", "West", "Back",
    "Long",
];

/// Street kinds and how they are abbreviated on forms.
pub(super) const STREET_KINDS: &[(&str, &str)] = &[
    ("Road", "Rd"),
    ("Lane", "Ln"),
    ("Close", "Cl"),
    ("Avenue", "Ave"),
    ("Way", "Way"),
    ("Drive", "Dr"),
    ("Street", "St"),
    ("Gardens", "Gdns"),
    ("Crescent", "Cres"),
    ("Place", "Pl"),
];

/// Letters Royal Mail uses in the last two places of a postcode.
pub(super) const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

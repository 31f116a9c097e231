//! The demo network's content: a bicycle brand, seven partners, and the touchpoints a rider
//! meets from first ad to riders' club.
use crate::domain::{
    Channel, Expression, Horizon, OrganizationKind, Ownership, TouchpointStatus, Visibility,
};

pub const BRAND_NAME: &str = "Northwind Cycles";
pub const BRAND_SLUG: &str = "northwind";

pub struct DemoPartner {
    pub slug: &'static str,
    pub name: &'static str,
    pub kind: OrganizationKind,
    pub tier: &'static str,
    pub admin: (&'static str, &'static str),
}

#[rustfmt::skip]
pub const PARTNERS: [DemoPartner; 7] = [
    DemoPartner { slug: "harbor-bikes", name: "Harbor Bikes", kind: OrganizationKind::Dealer, tier: "Gold dealer", admin: ("admin@harbor-bikes.example", "Hana Berg") },
    DemoPartner { slug: "summit-cycles", name: "Summit Cycle Co.", kind: OrganizationKind::Dealer, tier: "Silver dealer", admin: ("admin@summit-cycles.example", "Sam Okafor") },
    DemoPartner { slug: "velo-distribution", name: "Velo Distribution", kind: OrganizationKind::Distributor, tier: "National distributor", admin: ("admin@velo-distribution.example", "Vera Lund") },
    DemoPartner { slug: "urbanride", name: "UrbanRide Stores", kind: OrganizationKind::Retailer, tier: "Retail chain", admin: ("admin@urbanride.example", "Umar Reyes") },
    DemoPartner { slug: "park-reps", name: "Park & Partners Reps", kind: OrganizationKind::Rep, tier: "Field sales", admin: ("admin@park-reps.example", "Pia Park") },
    DemoPartner { slug: "brightline", name: "Brightline Agency", kind: OrganizationKind::Agency, tier: "Lead agency", admin: ("admin@brightline.example", "Ben Bright") },
    DemoPartner { slug: "fixit-service", name: "FixIt Bike Service", kind: OrganizationKind::ServicePartner, tier: "Certified service", admin: ("admin@fixit-service.example", "Finn Ito") },
];

/// (e-mail, name) of the brand's people beyond its first admin.
pub const BRAND_ADMIN: (&str, &str) = ("admin@northwind.example", "Nora Lind");
pub const BRAND_EDITOR: (&str, &str) = ("editor@northwind.example", "Erik Holm");
pub const BRAND_VIEWER: (&str, &str) = ("viewer@northwind.example", "Vivi Sand");
pub const PARTNER_EDITOR: (&str, &str) = ("editor@harbor-bikes.example", "Eli Harbor");
pub const PARTNER_VIEWER: (&str, &str) = ("viewer@harbor-bikes.example", "Val Harbor");

/// Key metric of each default phase, in phase order.
pub const PHASE_METRICS: [&str; 6] = [
    "Aided brand recall",
    "Test-ride bookings",
    "Close rate",
    "First-month activation",
    "First-time fix rate",
    "Referrals & repeat business",
];

pub const PRINCIPLES: [(&str, &str); 6] = [
    (
        "Ride-ready",
        "Everything works the first time the rider uses it.",
    ),
    (
        "Personal",
        "The rider is known and treated as a person, not a ticket.",
    ),
    ("Effortless", "No forms, queues or repeated questions."),
    ("Expert", "Advice from people who ride and repair bikes."),
    (
        "Sustainable",
        "Repair before replace; low-waste by default.",
    ),
    (
        "Local",
        "Rooted in the rider's own neighbourhood and trails.",
    ),
];

pub struct DemoTouchpoint {
    pub owner: &'static str,
    pub external_id: &'static str,
    pub name: &'static str,
    pub channel: Channel,
    pub expressions: &'static [Expression],
    pub ownership: Ownership,
    pub phase: usize,
    pub visibility: Visibility,
    /// importance, urgency, maturity, effort, benefit
    pub scores: Option<[i32; 5]>,
    pub status: TouchpointStatus,
    pub horizon: Option<Horizon>,
}

use Channel as C;
use Expression::{Digital as D, Personal as PE, Physical as PH};
use Ownership::{Own, Partner as Prt, ThirdParty as Third};
use TouchpointStatus::{Active as A, Planned as Pl};
use Visibility::{Network as N, Private as P};

#[allow(clippy::too_many_arguments)]
const fn tp(
    owner: &'static str,
    external_id: &'static str,
    name: &'static str,
    channel: Channel,
    expressions: &'static [Expression],
    ownership: Ownership,
    phase: usize,
    visibility: Visibility,
    scores: Option<[i32; 5]>,
    status: TouchpointStatus,
    horizon: Option<Horizon>,
) -> DemoTouchpoint {
    DemoTouchpoint {
        owner,
        external_id,
        name,
        channel,
        expressions,
        ownership,
        phase,
        visibility,
        scores,
        status,
        horizon,
    }
}

#[rustfmt::skip]
pub const TOUCHPOINTS: &[DemoTouchpoint] = &[
    tp("northwind", "nw-web-home", "Northwind website", C::Website, &[D], Own, 0, N, Some([5, 3, 4, 2, 4]), A, None),
    tp("northwind", "nw-insta", "Instagram ride stories", C::Social, &[D], Own, 0, N, Some([3, 2, 3, 2, 3]), A, None),
    tp("northwind", "nw-tv", "Spring TV campaign", C::Advertising, &[D], Own, 0, N, Some([4, 4, 2, 4, 3]), Pl, Some(Horizon::NextQuarter)),
    tp("northwind", "nw-tradeshow", "Eurobike trade-show stand", C::Event, &[PE, PH], Own, 0, N, Some([3, 2, 3, 5, 3]), A, None),
    tp("northwind", "nw-configurator", "Bike configurator", C::Website, &[D], Own, 1, N, Some([5, 4, 3, 3, 5]), A, None),
    tp("northwind", "nw-testride", "Test-ride booking", C::Website, &[D, PE], Own, 1, N, Some([5, 5, 2, 2, 5]), A, Some(Horizon::Now)),
    tp("northwind", "nw-catalogue", "Printed catalogue", C::Print, &[PH], Own, 1, N, Some([2, 1, 4, 2, 2]), A, None),
    tp("northwind", "nw-gmaps", "Google Maps brand listing", C::Other, &[D], Third, 1, N, Some([3, 2, 2, 1, 3]), A, None),
    tp("northwind", "nw-trustpilot", "Trustpilot reviews", C::ReviewSite, &[D], Third, 1, N, Some([4, 3, 2, 2, 4]), A, None),
    tp("northwind", "nw-shop", "Online shop checkout", C::Website, &[D], Own, 2, N, Some([5, 4, 3, 3, 4]), A, None),
    tp("northwind", "nw-finance", "Bike financing offer", C::Website, &[D], Own, 2, N, Some([3, 3, 2, 3, 3]), A, None),
    tp("northwind", "nw-amazon", "Amazon accessories store", C::Marketplace, &[D], Third, 2, N, Some([3, 3, 2, 3, 3]), A, None),
    tp("northwind", "nw-app-onboard", "Northwind Ride app onboarding", C::App, &[D], Own, 3, N, Some([4, 3, 2, 3, 4]), A, Some(Horizon::NextMonth)),
    tp("northwind", "nw-welcome-mail", "Welcome e-mail series", C::Email, &[D], Own, 3, N, Some([3, 2, 4, 1, 3]), A, None),
    tp("northwind", "nw-manual", "Quick-start manual", C::Print, &[PH], Own, 3, N, Some([2, 2, 3, 1, 2]), A, None),
    tp("northwind", "nw-hotline", "Customer care hotline", C::Phone, &[PE], Own, 4, N, Some([4, 3, 3, 3, 4]), A, None),
    tp("northwind", "nw-chat", "Support chat", C::Chat, &[D, PE], Own, 4, N, Some([4, 4, 2, 3, 4]), A, Some(Horizon::Now)),
    tp("northwind", "nw-warranty", "Warranty claim portal", C::Website, &[D], Own, 4, N, Some([3, 3, 2, 3, 3]), A, None),
    tp("northwind", "nw-club", "Northwind riders club", C::Event, &[PE, PH], Own, 5, N, Some([4, 2, 2, 4, 4]), A, None),
    tp("northwind", "nw-newsletter", "Monthly newsletter", C::Email, &[D], Own, 5, N, Some([2, 1, 4, 1, 2]), A, None),
    tp("northwind", "nw-referral", "Refer-a-friend programme", C::App, &[D], Own, 5, N, Some([4, 3, 1, 2, 5]), Pl, Some(Horizon::NextMonth)),
    tp("northwind", "nw-strava", "Strava club", C::Social, &[D], Third, 5, N, None, A, None),
    tp("harbor-bikes", "hb-website", "Harbor Bikes website", C::Website, &[D], Prt, 0, N, Some([3, 2, 3, 2, 3]), A, None),
    tp("harbor-bikes", "hb-showroom", "Harbor showroom visit", C::Showroom, &[PE, PH], Prt, 1, N, Some([5, 4, 3, 3, 5]), A, None),
    tp("harbor-bikes", "hb-testride", "Test-ride weekend", C::Event, &[PE, PH], Prt, 1, N, Some([4, 3, 2, 3, 4]), A, None),
    tp("harbor-bikes", "hb-fitting", "Bike fitting session", C::Store, &[PE, PH], Prt, 2, N, Some([4, 3, 3, 2, 4]), A, None),
    tp("harbor-bikes", "hb-handover", "Bike handover ceremony", C::Store, &[PE, PH], Prt, 3, N, Some([4, 2, 2, 2, 4]), A, None),
    tp("harbor-bikes", "hb-service", "Harbor workshop service", C::Store, &[PE, PH], Prt, 4, P, Some([4, 3, 3, 3, 4]), A, None),
    tp("harbor-bikes", "hb-whatsapp", "WhatsApp service updates", C::Chat, &[D], Prt, 4, P, Some([3, 3, 1, 2, 3]), A, Some(Horizon::NextQuarter)),
    tp("harbor-bikes", "hb-google", "Harbor Google reviews", C::ReviewSite, &[D], Third, 5, P, Some([3, 2, 2, 1, 3]), A, None),
    tp("summit-cycles", "sc-insta", "Summit Instagram", C::Social, &[D], Prt, 0, P, None, A, None),
    tp("summit-cycles", "sc-showroom", "Summit showroom", C::Showroom, &[PE, PH], Prt, 1, N, Some([5, 3, 3, 3, 4]), A, None),
    tp("summit-cycles", "sc-mtb-demo", "Test ride weekend", C::Event, &[PE, PH], Prt, 1, N, Some([4, 3, 2, 4, 4]), A, None),
    tp("summit-cycles", "sc-quote", "Personal quote by e-mail", C::Email, &[PE, D], Prt, 2, P, Some([4, 4, 2, 2, 4]), A, None),
    tp("summit-cycles", "sc-delivery", "Home delivery and set-up", C::FieldSales, &[PE, PH], Prt, 3, N, Some([4, 3, 2, 4, 4]), A, None),
    tp("summit-cycles", "sc-repair", "Summit repair desk", C::Store, &[PE, PH], Prt, 4, P, Some([4, 4, 3, 3, 3]), A, None),
    tp("summit-cycles", "sc-trails", "Summit trail rides", C::Event, &[PE, PH], Prt, 5, N, Some([3, 2, 2, 3, 3]), A, None),
    tp("velo-distribution", "vd-stock", "Stock availability feed", C::Website, &[D], Prt, 1, N, Some([4, 4, 2, 3, 4]), A, None),
    tp("velo-distribution", "vd-b2b-portal", "Dealer ordering portal", C::Website, &[D], Prt, 2, P, Some([4, 4, 3, 3, 4]), A, None),
    tp("velo-distribution", "vd-delivery", "Bike delivery to dealers", C::FieldSales, &[PH], Prt, 2, P, Some([3, 3, 3, 3, 3]), A, None),
    tp("velo-distribution", "vd-training", "Dealer product training", C::Event, &[PE, PH], Prt, 3, P, Some([3, 2, 2, 4, 3]), A, None),
    tp("velo-distribution", "vd-parts", "Spare parts hotline", C::Phone, &[PE], Prt, 4, N, Some([3, 3, 3, 2, 3]), A, None),
    tp("velo-distribution", "vd-recall", "Recall notification process", C::Email, &[D], Prt, 4, N, Some([5, 5, 2, 3, 5]), A, Some(Horizon::Now)),
    tp("urbanride", "ur-window", "Shop window display", C::Store, &[PH], Prt, 0, N, Some([2, 2, 3, 2, 2]), A, None),
    tp("urbanride", "ur-store", "UrbanRide city store", C::Store, &[PE, PH], Prt, 1, N, Some([4, 3, 3, 3, 4]), A, None),
    tp("urbanride", "ur-click-collect", "Click and collect", C::Website, &[D, PH], Prt, 2, N, Some([4, 4, 2, 3, 4]), A, None),
    tp("urbanride", "ur-checkout", "In-store checkout", C::Store, &[PE, PH], Prt, 2, P, Some([3, 3, 4, 2, 3]), A, None),
    tp("urbanride", "ur-marketplace", "Bol.com bike listing", C::Marketplace, &[D], Third, 2, N, Some([3, 3, 2, 2, 3]), A, None),
    tp("urbanride", "ur-returns", "Returns desk", C::Store, &[PE, PH], Prt, 4, P, Some([3, 3, 2, 2, 2]), A, None),
    tp("urbanride", "ur-loyalty", "UrbanRide loyalty card", C::App, &[D], Prt, 5, P, Some([3, 2, 3, 2, 3]), A, None),
    tp("park-reps", "pr-linkedin", "LinkedIn outreach", C::Social, &[D], Prt, 0, P, None, A, None),
    tp("park-reps", "pr-expo", "Regional bike expo", C::Event, &[PE, PH], Prt, 0, N, Some([3, 3, 2, 4, 3]), A, None),
    tp("park-reps", "pr-visits", "Dealer visits", C::FieldSales, &[PE, PH], Prt, 1, P, Some([3, 2, 3, 3, 3]), A, None),
    tp("park-reps", "pr-fleet", "Corporate fleet pitch", C::FieldSales, &[PE], Prt, 1, N, Some([4, 3, 2, 4, 4]), A, None),
    tp("park-reps", "pr-followup", "Post-sale follow-up call", C::Phone, &[PE], Prt, 3, N, Some([3, 2, 1, 2, 3]), A, None),
    tp("brightline", "bl-search-ads", "Search ads", C::Advertising, &[D], Own, 0, N, Some([4, 4, 3, 2, 4]), A, None),
    tp("brightline", "bl-influencer", "Influencer rides", C::Social, &[D], Own, 0, N, Some([3, 3, 2, 3, 3]), A, None),
    tp("brightline", "bl-outdoor", "City billboards", C::Advertising, &[PH], Own, 0, N, Some([3, 2, 3, 4, 2]), A, None),
    tp("brightline", "bl-podcast", "Cycling podcast sponsorship", C::Advertising, &[D], Own, 0, P, None, Pl, Some(Horizon::Later)),
    tp("brightline", "bl-landing", "Campaign landing page", C::Website, &[D], Own, 1, N, Some([4, 4, 2, 2, 4]), A, None),
    tp("fixit-service", "fx-booking", "Online service booking", C::Website, &[D], Prt, 4, N, Some([4, 4, 2, 2, 4]), A, None),
    tp("fixit-service", "fx-mobile", "Mobile repair van", C::FieldSales, &[PE, PH], Prt, 4, N, Some([5, 4, 2, 4, 5]), A, None),
    tp("fixit-service", "fx-pickup", "Bike pick-up and return", C::FieldSales, &[PH], Prt, 4, P, Some([3, 3, 2, 3, 3]), A, None),
    tp("fixit-service", "fx-sms", "Repair status SMS", C::Phone, &[D], Prt, 4, P, Some([3, 3, 3, 1, 3]), A, None),
    tp("fixit-service", "fx-ebike", "E-bike battery service", C::Store, &[PE, PH], Prt, 4, N, Some([4, 3, 1, 3, 4]), Pl, Some(Horizon::NextQuarter)),
    tp("fixit-service", "fx-checkup", "Annual check-up reminder", C::Email, &[D], Prt, 5, N, Some([3, 2, 3, 1, 3]), A, None),
];

/// Touchpoints the brand stamps as signature moments (by external id).
pub const SIGNATURES: [&str; 4] = ["nw-testride", "nw-app-onboard", "nw-club", "fx-mobile"];

/// Partner touchpoints left waiting for review; the brand asks for changes on the first.
pub const LEFT_PENDING: [&str; 4] = ["sc-insta", "ur-loyalty", "pr-linkedin", "fx-ebike"];

pub struct DemoJourney {
    pub name: &'static str,
    pub persona: &'static str,
    pub description: &'static str,
    /// (external id, major)
    pub steps: &'static [(&'static str, bool)],
}

pub const JOURNEYS: [DemoJourney; 2] = [
    DemoJourney {
        name: "First e-bike for the commute",
        persona: "Maya, 34, urban commuter",
        description: "From the first ad to joining the riders' club.",
        steps: &[
            ("nw-insta", false),
            ("bl-search-ads", true),
            ("bl-landing", true),
            ("nw-configurator", true),
            ("nw-testride", true),
            ("hb-showroom", true),
            ("hb-testride", false),
            ("hb-fitting", true),
            ("nw-finance", false),
            ("hb-handover", true),
            ("nw-app-onboard", true),
            ("nw-welcome-mail", false),
            ("hb-service", true),
            ("fx-mobile", true),
            ("nw-club", true),
        ],
    },
    DemoJourney {
        name: "Keeping the bike on the road",
        persona: "Tom, 52, weekend rider",
        description: "A repair, a warranty claim and the yearly check-up.",
        steps: &[
            ("nw-hotline", false),
            ("fx-booking", true),
            ("fx-pickup", true),
            ("fx-sms", false),
            ("vd-parts", false),
            ("nw-warranty", true),
            ("fx-checkup", true),
        ],
    },
];

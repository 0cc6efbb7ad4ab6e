//! What an operator may notify, from its activities: the rule of the "Important!" box. To
//! notify a consignment of plants (a CHED-PP) an importer without an agent must be registered,
//! with activities an authority has validated, both as a plant-health importer (`EURPO` or
//! `EUPO`) and as responsible for the load (`RFL`). With an agent (another operator acting as
//! responsible for the load) the importer needs only its importer activity, and the agent a
//! valid `RFL`. The other common health entry documents follow the same pattern with their own
//! importer activities (CHED-D, CHED-P, CHED-A).
//!
//! When something is missing, it says what in words a person can act on: which activity, and
//! whether they do not have it at all or have it but not valid (still new, suspended,
//! rejected, withdrawn). Activity codes are compared exactly, as stored.

use super::codes::coded_enum;
use super::status::ActivityStatus;

/// Plant health: professional operators referred to in Article 45(1)(l) IMSOC (registered).
pub const PLANT_HEALTH_REGISTERED_OPERATOR: &str = "EURPO";
/// Plant health: professional operators other than those of Article 45(1)(l) IMSOC.
pub const PLANT_HEALTH_PROFESSIONAL_OPERATOR: &str = "EUPO";
/// Responsible for the load (the freight forwarder, or the importer itself).
pub const RESPONSIBLE_FOR_THE_LOAD: &str = "RFL";
/// Importer of food of non-animal origin.
pub const FOOD_OF_NON_ANIMAL_ORIGIN_IMPORTER: &str = "FNAO-IMP";
/// Importer of feed (of non-animal origin).
pub const FEED_IMPORTER: &str = "FEED-IMP";
/// Importer of products of animal origin.
pub const PRODUCTS_OF_ANIMAL_ORIGIN_IMPORTER: &str = "POAO-IMP";
/// Importer of live animals.
pub const LIVE_ANIMALS_IMPORTER: &str = "AN-IMP";

/// One activity of an operator as this module needs it: its activity type code and status.
pub type HeldActivity<'a> = (&'a str, ActivityStatus);

coded_enum! {
    /// The common health entry documents (CHED) an importer notifies a consignment with.
    NotificationDocument, "notification document", "notification_document" {
        /// Plants, plant products and other objects (plant health).
        ChedPp => "ched_pp",
        /// Food and feed of non-animal origin.
        ChedD => "ched_d",
        /// Products of animal origin.
        ChedP => "ched_p",
        /// Live animals.
        ChedA => "ched_a",
    }
}

impl NotificationDocument {
    /// The importer activity this document needs (besides responsibility for the load).
    pub fn importer_need(self) -> Need {
        match self {
            NotificationDocument::ChedPp => Need::PlantHealthImporter,
            NotificationDocument::ChedD => Need::FoodOrFeedImporter,
            NotificationDocument::ChedP => Need::AnimalProductsImporter,
            NotificationDocument::ChedA => Need::LiveAnimalsImporter,
        }
    }
}

coded_enum! {
    /// A registration a notification needs: one of a few activity types, valid.
    Need, "notification need", "notification_need" {
        /// `EURPO` or `EUPO`.
        PlantHealthImporter => "plant_health_importer",
        /// `FNAO-IMP` or `FEED-IMP`.
        FoodOrFeedImporter => "food_or_feed_importer",
        /// `POAO-IMP`.
        AnimalProductsImporter => "animal_products_importer",
        /// `AN-IMP`.
        LiveAnimalsImporter => "live_animals_importer",
        /// `RFL`.
        ResponsibleForTheLoad => "responsible_for_the_load",
    }
}

impl Need {
    /// The activity type codes any one of which, valid, meets this need.
    pub fn accepted_codes(self) -> &'static [&'static str] {
        match self {
            Need::PlantHealthImporter => &[
                PLANT_HEALTH_REGISTERED_OPERATOR,
                PLANT_HEALTH_PROFESSIONAL_OPERATOR,
            ],
            Need::FoodOrFeedImporter => &[FOOD_OF_NON_ANIMAL_ORIGIN_IMPORTER, FEED_IMPORTER],
            Need::AnimalProductsImporter => &[PRODUCTS_OF_ANIMAL_ORIGIN_IMPORTER],
            Need::LiveAnimalsImporter => &[LIVE_ANIMALS_IMPORTER],
            Need::ResponsibleForTheLoad => &[RESPONSIBLE_FOR_THE_LOAD],
        }
    }
}

/// Whose activity a requirement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The operator who notifies.
    Importer,
    /// The agent responsible for the load on the importer's behalf.
    Agent,
}

/// How far the party is from meeting a need. When it holds several of the accepted
/// activities, the one closest to valid is reported: new, then suspended, withdrawn, rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// None of the accepted activities: the party must add one.
    Missing,
    /// It has one (`code`), still new: an authority has not validated it yet.
    AwaitingValidation {
        /// The activity type code held.
        code: String,
    },
    /// It has one (`code`), suspended by an authority.
    Suspended {
        /// The activity type code held.
        code: String,
    },
    /// It had one (`code`), withdrawn: it must ask for it again.
    Withdrawn {
        /// The activity type code held.
        code: String,
    },
    /// It asked for one (`code`) and was refused: it must ask again.
    Rejected {
        /// The activity type code held.
        code: String,
    },
}

impl Gap {
    /// A stable code for this kind of gap.
    pub fn code(&self) -> &'static str {
        match self {
            Gap::Missing => "missing",
            Gap::AwaitingValidation { .. } => "awaiting_validation",
            Gap::Suspended { .. } => "suspended",
            Gap::Withdrawn { .. } => "withdrawn",
            Gap::Rejected { .. } => "rejected",
        }
    }

    /// The activity type code held, if the party holds one that is not valid.
    pub fn held_code(&self) -> Option<&str> {
        match self {
            Gap::Missing => None,
            Gap::AwaitingValidation { code }
            | Gap::Suspended { code }
            | Gap::Withdrawn { code }
            | Gap::Rejected { code } => Some(code),
        }
    }
}

/// One thing missing for a notification: what is needed, from whom, and how far they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The registration needed.
    pub need: Need,
    /// Who must hold it.
    pub party: Party,
    /// What is wrong with what they hold.
    pub gap: Gap,
}

impl Requirement {
    /// The activity type codes that would meet the need.
    pub fn accepted_codes(&self) -> &'static [&'static str] {
        self.need.accepted_codes()
    }

    /// The translation key of the sentence naming what is needed, e.g.
    /// `notification_need.plant_health_importer`.
    pub fn need_key(&self) -> &'static str {
        self.need.label_key()
    }

    /// The translation key of the sentence saying what is wrong, addressed to the importer
    /// or about its agent, e.g. `notification_gap.importer.awaiting_validation`. The texts
    /// with a held activity take a `{code}` placeholder ([`Gap::held_code`]).
    pub fn gap_key(&self) -> &'static str {
        match (self.party, &self.gap) {
            (Party::Importer, Gap::Missing) => "notification_gap.importer.missing",
            (Party::Importer, Gap::AwaitingValidation { .. }) => {
                "notification_gap.importer.awaiting_validation"
            }
            (Party::Importer, Gap::Suspended { .. }) => "notification_gap.importer.suspended",
            (Party::Importer, Gap::Withdrawn { .. }) => "notification_gap.importer.withdrawn",
            (Party::Importer, Gap::Rejected { .. }) => "notification_gap.importer.rejected",
            (Party::Agent, Gap::Missing) => "notification_gap.agent.missing",
            (Party::Agent, Gap::AwaitingValidation { .. }) => {
                "notification_gap.agent.awaiting_validation"
            }
            (Party::Agent, Gap::Suspended { .. }) => "notification_gap.agent.suspended",
            (Party::Agent, Gap::Withdrawn { .. }) => "notification_gap.agent.withdrawn",
            (Party::Agent, Gap::Rejected { .. }) => "notification_gap.agent.rejected",
        }
    }
}

/// Whether one kind of document may be notified, and if not, everything that is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// The document.
    pub document: NotificationDocument,
    /// Whether the importer may notify it now.
    pub allowed: bool,
    /// What is missing; empty exactly when `allowed`.
    pub missing: Vec<Requirement>,
}

/// What an importer acting without an agent may notify: for each document, in the order of
/// [`NotificationDocument::ALL`], its importer activity and `RFL` must both be valid.
pub fn notification_capabilities(activities: &[HeldActivity<'_>]) -> Vec<Capability> {
    capabilities(activities, activities, Party::Importer)
}

/// What an importer may notify when `agent_activities` are those of the agent responsible
/// for the load: the importer needs only its importer activity, the agent a valid `RFL`.
pub fn notification_capabilities_with_agent(
    importer_activities: &[HeldActivity<'_>],
    agent_activities: &[HeldActivity<'_>],
) -> Vec<Capability> {
    capabilities(importer_activities, agent_activities, Party::Agent)
}

fn capabilities(
    importer: &[HeldActivity<'_>],
    load_holder: &[HeldActivity<'_>],
    load_party: Party,
) -> Vec<Capability> {
    NotificationDocument::ALL
        .iter()
        .map(|&document| {
            let missing: Vec<Requirement> = [
                (document.importer_need(), Party::Importer, importer),
                (Need::ResponsibleForTheLoad, load_party, load_holder),
            ]
            .into_iter()
            .filter_map(|(need, party, activities)| {
                gap(need, activities).map(|gap| Requirement { need, party, gap })
            })
            .collect();
            Capability {
                document,
                allowed: missing.is_empty(),
                missing,
            }
        })
        .collect()
}

/// `None` when one of the accepted activities is valid; otherwise the closest one's gap.
fn gap(need: Need, activities: &[HeldActivity<'_>]) -> Option<Gap> {
    let accepted = need.accepted_codes();
    let held = || {
        activities
            .iter()
            .filter(|(code, _)| accepted.contains(code))
    };
    if held().any(|(_, status)| *status == ActivityStatus::Valid) {
        return None;
    }
    let closest = held()
        .filter_map(|(code, status)| ranked_gap(code, *status))
        // The lowest rank; among equals, the first in the list.
        .min_by_key(|(rank, _)| *rank);
    Some(closest.map_or(Gap::Missing, |(_, gap)| gap))
}

/// The gap a held activity leaves, ranked by how close it is to valid: a new one may be
/// validated any day, a suspended one reinstated; withdrawn and rejected ones mean asking
/// again. `None` for a valid one.
fn ranked_gap(code: &str, status: ActivityStatus) -> Option<(u8, Gap)> {
    let code = code.to_owned();
    match status {
        ActivityStatus::Valid => None,
        ActivityStatus::New => Some((0, Gap::AwaitingValidation { code })),
        ActivityStatus::Suspended => Some((1, Gap::Suspended { code })),
        ActivityStatus::Withdrawn => Some((2, Gap::Withdrawn { code })),
        ActivityStatus::Rejected => Some((3, Gap::Rejected { code })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivityStatus::*;
    use NotificationDocument::*;

    fn capability(capabilities: &[Capability], document: NotificationDocument) -> &Capability {
        capabilities
            .iter()
            .find(|c| c.document == document)
            .unwrap()
    }

    fn importer(need: Need, gap: Gap) -> Requirement {
        Requirement {
            need,
            party: Party::Importer,
            gap,
        }
    }

    fn code(code: &str) -> String {
        code.to_owned()
    }

    #[test]
    fn an_importer_without_agent_needs_both_plant_health_and_rfl() {
        for plant_health in ["EURPO", "EUPO"] {
            let all = notification_capabilities(&[(plant_health, Valid), ("RFL", Valid)]);
            let ched_pp = capability(&all, ChedPp);
            assert!(ched_pp.allowed, "{plant_health}");
            assert!(ched_pp.missing.is_empty());
        }
    }

    #[test]
    fn an_importer_without_rfl_is_told_it_lacks_it() {
        let all = notification_capabilities(&[("EURPO", Valid)]);
        let ched_pp = capability(&all, ChedPp);
        assert!(!ched_pp.allowed);
        assert_eq!(
            ched_pp.missing,
            [importer(Need::ResponsibleForTheLoad, Gap::Missing)]
        );
        assert_eq!(ched_pp.missing[0].accepted_codes(), ["RFL"]);
        assert_eq!(
            ched_pp.missing[0].need_key(),
            "notification_need.responsible_for_the_load"
        );
        assert_eq!(
            ched_pp.missing[0].gap_key(),
            "notification_gap.importer.missing"
        );
    }

    #[test]
    fn an_agent_alone_may_not_notify_plants() {
        let all = notification_capabilities(&[("RFL", Valid)]);
        let ched_pp = capability(&all, ChedPp);
        assert!(!ched_pp.allowed);
        assert_eq!(
            ched_pp.missing,
            [importer(Need::PlantHealthImporter, Gap::Missing)]
        );
        assert_eq!(ched_pp.missing[0].accepted_codes(), ["EURPO", "EUPO"]);
    }

    #[test]
    fn having_the_activity_but_not_valid_is_told_apart_from_not_having_it() {
        let all = notification_capabilities(&[("EUPO", New), ("RFL", Suspended)]);
        let ched_pp = capability(&all, ChedPp);
        assert!(!ched_pp.allowed);
        assert_eq!(
            ched_pp.missing,
            [
                importer(
                    Need::PlantHealthImporter,
                    Gap::AwaitingValidation { code: code("EUPO") }
                ),
                importer(
                    Need::ResponsibleForTheLoad,
                    Gap::Suspended { code: code("RFL") }
                ),
            ]
        );
        assert_eq!(ched_pp.missing[0].gap.held_code(), Some("EUPO"));
        assert_eq!(
            ched_pp.missing[0].gap_key(),
            "notification_gap.importer.awaiting_validation"
        );
        assert_eq!(ched_pp.missing[0].gap.code(), "awaiting_validation");
    }

    #[test]
    fn the_closest_of_several_held_activities_is_reported() {
        let gap_of = |activities: &[HeldActivity<'_>]| {
            let all = notification_capabilities(activities);
            capability(&all, ChedPp).missing[0].gap.clone()
        };
        let held = [
            ("EURPO", Rejected),
            ("EUPO", Withdrawn),
            ("EURPO", Suspended),
            ("EUPO", New),
        ];
        assert_eq!(
            gap_of(&held),
            Gap::AwaitingValidation { code: code("EUPO") }
        );
        assert_eq!(
            gap_of(&held[..3]),
            Gap::Suspended {
                code: code("EURPO")
            }
        );
        assert_eq!(gap_of(&held[..2]), Gap::Withdrawn { code: code("EUPO") });
        assert_eq!(
            gap_of(&held[..1]),
            Gap::Rejected {
                code: code("EURPO")
            }
        );
        // One valid among them is enough (RFL is missing here, plant health is not).
        let all = notification_capabilities(&[("EURPO", Rejected), ("EUPO", Valid)]);
        assert_eq!(
            capability(&all, ChedPp).missing,
            [importer(Need::ResponsibleForTheLoad, Gap::Missing)]
        );
    }

    #[test]
    fn with_an_agent_the_importer_needs_only_its_importer_activity() {
        let all = notification_capabilities_with_agent(&[("EURPO", Valid)], &[("RFL", Valid)]);
        assert!(capability(&all, ChedPp).allowed);
        // The importer's own RFL does not stand in for the agent's.
        let all = notification_capabilities_with_agent(
            &[("EUPO", Valid), ("RFL", Valid)],
            &[("RFL", New)],
        );
        let ched_pp = capability(&all, ChedPp);
        assert!(!ched_pp.allowed);
        assert_eq!(
            ched_pp.missing,
            [Requirement {
                need: Need::ResponsibleForTheLoad,
                party: Party::Agent,
                gap: Gap::AwaitingValidation { code: code("RFL") },
            }]
        );
        assert_eq!(
            ched_pp.missing[0].gap_key(),
            "notification_gap.agent.awaiting_validation"
        );
        let all = notification_capabilities_with_agent(&[("EUPO", Suspended)], &[]);
        assert_eq!(
            capability(&all, ChedPp)
                .missing
                .iter()
                .map(Requirement::gap_key)
                .collect::<Vec<_>>(),
            [
                "notification_gap.importer.suspended",
                "notification_gap.agent.missing"
            ]
        );
    }

    #[test]
    fn other_documents_need_their_own_importer_activity() {
        let all = notification_capabilities(&[
            ("FEED-IMP", Valid),
            ("POAO-IMP", Valid),
            ("AN-IMP", New),
            ("RFL", Valid),
        ]);
        assert!(!capability(&all, ChedPp).allowed);
        assert!(capability(&all, ChedD).allowed);
        assert!(capability(&all, ChedP).allowed);
        assert_eq!(
            capability(&all, ChedA).missing,
            [importer(
                Need::LiveAnimalsImporter,
                Gap::AwaitingValidation {
                    code: code("AN-IMP")
                }
            )]
        );
        let all = notification_capabilities(&[("FNAO-IMP", Valid), ("RFL", Valid)]);
        assert!(capability(&all, ChedD).allowed);
    }

    #[test]
    fn an_operator_without_activities_is_told_everything_for_every_document() {
        let all = notification_capabilities(&[]);
        let documents: Vec<_> = all.iter().map(|c| c.document).collect();
        assert_eq!(documents, [ChedPp, ChedD, ChedP, ChedA]);
        for capability in &all {
            assert!(!capability.allowed);
            assert_eq!(capability.missing.len(), 2);
            assert!(capability.missing.iter().all(|r| r.gap == Gap::Missing));
            assert_eq!(
                capability.missing[0].need,
                capability.document.importer_need()
            );
            assert_eq!(capability.missing[1].need, Need::ResponsibleForTheLoad);
        }
    }

    #[test]
    fn codes_are_compared_exactly() {
        let all = notification_capabilities(&[("eurpo", Valid), ("RFL ", Valid)]);
        assert_eq!(capability(&all, ChedPp).missing.len(), 2);
    }

    #[test]
    fn documents_and_needs_have_codes_and_label_keys() {
        assert_eq!(ChedPp.code(), "ched_pp");
        assert_eq!(ChedPp.label_key(), "notification_document.ched_pp");
        assert_eq!(NotificationDocument::parse("ched_a"), Ok(ChedA));
        assert_eq!(
            Need::FoodOrFeedImporter.label_key(),
            "notification_need.food_or_feed_importer"
        );
        assert_eq!(
            Need::FoodOrFeedImporter.accepted_codes(),
            ["FNAO-IMP", "FEED-IMP"]
        );
        assert_eq!(Need::AnimalProductsImporter.accepted_codes(), ["POAO-IMP"]);
    }
}

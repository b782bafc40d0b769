//! The one authorization policy (G01): who may do what on which resource. Every handler that
//! shows or changes non-public data asks [`decide`]; nothing else grants access.
//!
//! Least privilege: provider staff act only inside their own organisation, by role; ministry
//! roles and external experts act only with a second factor (G02).

use serde::{Deserialize, Serialize};

/// A role in the ministry's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinistryRole {
    Reviewer,
    Administrator,
    /// IPA's registration office (登録事務): the holders' registry view, in aggregate (issue 18).
    Registrar,
}

/// A staff member's role in a provider organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Reads the organisation's records.
    Viewer,
    /// Also edits the organisation's programmes and applications.
    Editor,
    /// Also edits the organisation itself and manages its staff.
    Owner,
}

impl OrgRole {
    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "owner" => Some(Self::Owner),
            "editor" => Some(Self::Editor),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Self::Owner, false) => "管理者",
            (Self::Owner, true) => "Owner",
            (Self::Editor, false) => "編集者",
            (Self::Editor, true) => "Editor",
            (Self::Viewer, false) => "閲覧者",
            (Self::Viewer, true) => "Viewer",
        }
    }
}

impl MinistryRole {
    /// The ministry's designation work (reviews, providers, reports); IPA's registrars see
    /// only the holders' registry.
    pub fn reviews_designations(self) -> bool {
        matches!(self, Self::Reviewer | Self::Administrator)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Reviewer => "reviewer",
            Self::Administrator => "administrator",
            Self::Registrar => "registrar",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "reviewer" => Some(Self::Reviewer),
            "administrator" => Some(Self::Administrator),
            "registrar" => Some(Self::Registrar),
            _ => None,
        }
    }
}

/// The signed-in person as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: String,
    pub email_verified: bool,
    /// Two-factor authentication is set up; sign-in then always asks for it, so a session of
    /// such an account has passed it.
    pub second_factor: bool,
    pub ministry_role: Option<MinistryRole>,
    pub expert: bool,
    /// Organisation id and role, one entry per organisation.
    pub memberships: Vec<(String, OrgRole)>,
}

impl Principal {
    pub fn role_in(&self, org: &str) -> Option<OrgRole> {
        self.memberships
            .iter()
            .find(|(id, _)| id == org)
            .map(|(_, role)| *role)
    }

    /// Ministry roles and experts see other people's data: they must use a second factor.
    pub fn needs_second_factor(&self) -> bool {
        self.ministry_role.is_some() || self.expert
    }
}

/// Everything that needs permission. Public catalogue pages need none and are not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// One's own account page, sessions and second-factor settings.
    ManageOwnAccount,
    RegisterOrganisation,
    ViewOrganisation(&'a str),
    EditOrganisation(&'a str),
    ManageStaff(&'a str),
    /// An organisation's 特定講習 applications: drafts, self-check, versions, documents.
    ViewApplications(&'a str),
    /// Writing a draft application (editors and owners).
    EditApplications(&'a str),
    /// Submitting an application to the ministry: the organisation's act, so owners only.
    SubmitApplication(&'a str),
    /// An organisation's own catalogue listings, drafts included (issue 14): its staff.
    ViewProgrammes(&'a str),
    /// Writing, publishing and withdrawing them and their sessions: editors and owners.
    EditProgrammes(&'a str),
    /// Applying for sessions and attending them as a learner (D02): anyone with a verified
    /// address.
    Learn,
    /// A session's roster, attendance and reports (issue 15): the provider's staff.
    ViewDelivery(&'a str),
    /// Setting up a delivery, checking identities, marking attendance, importing reports,
    /// sealing a day, cancelling an enrolment: editors and owners.
    RunDelivery(&'a str),
    /// The review queue and review workspace, assignments and decisions (B35): ministry roles.
    ReviewApplications,
    /// An external expert's view of an application they are assigned to (B35): only after
    /// declaring no conflict of interest; a declared conflict removes access.
    ExpertReview {
        assigned: bool,
        declared_no_conflict: bool,
    },
    /// The conflict-of-interest declaration an assigned expert makes before seeing anything.
    DeclareConflict {
        assigned: bool,
    },
    /// Outgoing mail, audit log, accounts and roles.
    Administer,
    /// The holders' registry (issue 18 item 6): counts by outlook and cohort, completions by
    /// month; aggregates only, no individual holder. IPA's registrars and administrators.
    ViewHolderRegistry,
}

/// What the policy answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is signed in: sign in first.
    SignIn,
    /// The address is not verified yet.
    VerifyEmail,
    /// The role requires a second factor that is not set up yet.
    SetUpSecondFactor,
    Forbidden,
}

/// The policy. `None` is an anonymous visitor.
pub fn decide(who: Option<&Principal>, action: Action<'_>) -> Decision {
    let Some(p) = who else {
        return Decision::SignIn;
    };
    if action == Action::ManageOwnAccount {
        return Decision::Allow;
    }
    if !p.email_verified {
        return Decision::VerifyEmail;
    }
    if p.needs_second_factor() && !p.second_factor {
        return Decision::SetUpSecondFactor;
    }
    let ministry = p.ministry_role;
    let meti = ministry.is_some_and(MinistryRole::reviews_designations);
    let at_least = |org: &str, role: OrgRole| p.role_in(org).is_some_and(|r| r >= role);
    let allowed = match action {
        Action::ManageOwnAccount | Action::RegisterOrganisation => true,
        Action::ViewOrganisation(org) => meti || at_least(org, OrgRole::Viewer),
        Action::EditOrganisation(org) | Action::ManageStaff(org) => at_least(org, OrgRole::Owner),
        // Drafts are the provider's own: the ministry sees what is submitted (issue 6).
        Action::ViewApplications(org) => at_least(org, OrgRole::Viewer),
        Action::EditApplications(org) => at_least(org, OrgRole::Editor),
        Action::SubmitApplication(org) => at_least(org, OrgRole::Owner),
        Action::ViewProgrammes(org) => at_least(org, OrgRole::Viewer),
        Action::EditProgrammes(org) => at_least(org, OrgRole::Editor),
        Action::Learn => true,
        Action::ViewDelivery(org) => at_least(org, OrgRole::Viewer),
        Action::RunDelivery(org) => at_least(org, OrgRole::Editor),
        Action::ReviewApplications => meti,
        Action::ExpertReview {
            assigned,
            declared_no_conflict,
        } => p.expert && assigned && declared_no_conflict,
        Action::DeclareConflict { assigned } => p.expert && assigned,
        Action::Administer => ministry == Some(MinistryRole::Administrator),
        Action::ViewHolderRegistry => matches!(
            ministry,
            Some(MinistryRole::Registrar | MinistryRole::Administrator)
        ),
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// What an API token may do (issue 14 item 3): read, or also write, the organisation's
/// programmes; or send and read its learning records as an LRS client (issue 20), which is
/// all such a credential may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    Read,
    Write,
    Xapi,
}

impl TokenScope {
    pub fn code(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Xapi => "xapi",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Read, Self::Write, Self::Xapi]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A token acts for its own organisation only, and writes only with the write scope; an LRS
/// client's credential serves the LRS only, and only such a credential does.
pub fn token_allows(scope: TokenScope, token_org: &str, org: &str, needs: TokenScope) -> bool {
    use TokenScope::{Read, Write, Xapi};
    token_org == org
        && match (scope, needs) {
            (Write, Read | Write) | (Read, Read) | (Xapi, Xapi) => true,
            (Read, Write) | (Xapi, Read | Write) | (Read | Write, Xapi) => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Principal {
        Principal {
            account_id: "a".into(),
            email_verified: true,
            second_factor: false,
            ministry_role: None,
            expert: false,
            memberships: vec![],
        }
    }

    fn staff(role: OrgRole) -> Principal {
        Principal {
            memberships: vec![("org-a".into(), role)],
            ..person()
        }
    }

    #[test]
    fn a_token_reads_or_writes_its_own_organisation_only() {
        use TokenScope::{Read, Write};
        assert!(token_allows(Read, "org-a", "org-a", Read));
        assert!(token_allows(Write, "org-a", "org-a", Write));
        assert!(token_allows(Write, "org-a", "org-a", Read));
        assert!(!token_allows(Read, "org-a", "org-a", Write));
        assert!(!token_allows(Write, "org-a", "org-b", Read));
    }

    #[test]
    fn an_lrs_credential_serves_the_lrs_of_its_own_organisation_only() {
        use TokenScope::{Read, Write, Xapi};
        assert!(token_allows(Xapi, "org-a", "org-a", Xapi));
        assert!(!token_allows(Xapi, "org-a", "org-b", Xapi));
        assert!(!token_allows(Xapi, "org-a", "org-a", Read));
        assert!(!token_allows(Xapi, "org-a", "org-a", Write));
        assert!(!token_allows(Write, "org-a", "org-a", Xapi));
    }

    #[test]
    fn listings_are_viewed_by_staff_and_written_by_editors_of_their_organisation_only() {
        for (role, edit) in [
            (OrgRole::Viewer, false),
            (OrgRole::Editor, true),
            (OrgRole::Owner, true),
        ] {
            let p = staff(role);
            let allowed = |a| decide(Some(&p), a) == Decision::Allow;
            assert!(allowed(Action::ViewProgrammes("org-a")));
            assert_eq!(allowed(Action::EditProgrammes("org-a")), edit);
            assert!(!allowed(Action::ViewProgrammes("org-b")));
            assert!(!allowed(Action::EditProgrammes("org-b")));
        }
        let reviewer = Principal {
            ministry_role: Some(MinistryRole::Reviewer),
            second_factor: true,
            ..person()
        };
        assert_eq!(
            decide(Some(&reviewer), Action::EditProgrammes("org-a")),
            Decision::Forbidden
        );
    }

    #[test]
    fn applications_are_viewed_by_staff_written_by_editors_and_submitted_by_owners() {
        for (role, view, edit, submit) in [
            (OrgRole::Viewer, true, false, false),
            (OrgRole::Editor, true, true, false),
            (OrgRole::Owner, true, true, true),
        ] {
            let p = staff(role);
            let allowed = |a| decide(Some(&p), a) == Decision::Allow;
            assert_eq!(allowed(Action::ViewApplications("org-a")), view);
            assert_eq!(allowed(Action::EditApplications("org-a")), edit);
            assert_eq!(allowed(Action::SubmitApplication("org-a")), submit);
            assert!(!allowed(Action::ViewApplications("org-b")));
        }
        let reviewer = Principal {
            ministry_role: Some(MinistryRole::Reviewer),
            second_factor: true,
            ..person()
        };
        assert_eq!(
            decide(Some(&reviewer), Action::ViewApplications("org-a")),
            Decision::Forbidden,
            "a draft is the provider's own"
        );
    }

    #[test]
    fn an_expert_sees_an_assigned_application_only_after_declaring_no_conflict() {
        let expert = Principal {
            expert: true,
            second_factor: true,
            ..person()
        };
        let allowed = |a| decide(Some(&expert), a) == Decision::Allow;
        assert!(allowed(Action::DeclareConflict { assigned: true }));
        assert!(!allowed(Action::DeclareConflict { assigned: false }));
        assert!(!allowed(Action::ExpertReview {
            assigned: true,
            declared_no_conflict: false
        }));
        assert!(allowed(Action::ExpertReview {
            assigned: true,
            declared_no_conflict: true
        }));
        assert!(!allowed(Action::ExpertReview {
            assigned: false,
            declared_no_conflict: true
        }));
        assert!(
            !allowed(Action::ReviewApplications),
            "not the ministry's queue"
        );
        let learner = person();
        assert_eq!(
            decide(
                Some(&learner),
                Action::ExpertReview {
                    assigned: true,
                    declared_no_conflict: true
                }
            ),
            Decision::Forbidden
        );
    }

    #[test]
    fn anonymous_must_sign_in() {
        assert_eq!(decide(None, Action::ManageOwnAccount), Decision::SignIn);
        assert_eq!(
            decide(None, Action::ViewOrganisation("org-a")),
            Decision::SignIn
        );
    }

    #[test]
    fn staff_act_inside_their_own_organisation_by_role() {
        for (role, view, edit) in [
            (OrgRole::Viewer, true, false),
            (OrgRole::Editor, true, false),
            (OrgRole::Owner, true, true),
        ] {
            let p = staff(role);
            assert_eq!(
                decide(Some(&p), Action::ViewOrganisation("org-a")) == Decision::Allow,
                view
            );
            assert_eq!(
                decide(Some(&p), Action::ManageStaff("org-a")) == Decision::Allow,
                edit
            );
            assert_eq!(
                decide(Some(&p), Action::EditOrganisation("org-a")) == Decision::Allow,
                edit
            );
            assert_eq!(
                decide(Some(&p), Action::ViewOrganisation("org-b")),
                Decision::Forbidden
            );
            assert_eq!(
                decide(Some(&p), Action::ReviewApplications),
                Decision::Forbidden
            );
        }
    }

    #[test]
    fn registrars_see_the_holder_registry_and_nothing_of_designation() {
        let registrar = Principal {
            ministry_role: Some(MinistryRole::Registrar),
            second_factor: true,
            ..person()
        };
        let may = |p: &Principal, a| decide(Some(p), a) == Decision::Allow;
        assert!(!MinistryRole::Registrar.reviews_designations());
        assert!(MinistryRole::Reviewer.reviews_designations());
        assert!(may(&registrar, Action::ViewHolderRegistry));
        assert!(!may(&registrar, Action::ReviewApplications));
        assert!(!may(&registrar, Action::ViewOrganisation("org-a")));
        assert!(!may(&registrar, Action::Administer));
        let reviewer = Principal {
            ministry_role: Some(MinistryRole::Reviewer),
            ..registrar.clone()
        };
        assert!(!may(&reviewer, Action::ViewHolderRegistry));
        assert!(!may(&person(), Action::ViewHolderRegistry));
        let without_2fa = Principal {
            second_factor: false,
            ..registrar
        };
        assert_eq!(
            decide(Some(&without_2fa), Action::ViewHolderRegistry),
            Decision::SetUpSecondFactor
        );
    }

    #[test]
    fn ministry_roles_need_a_second_factor() {
        let reviewer = Principal {
            ministry_role: Some(MinistryRole::Reviewer),
            ..person()
        };
        assert_eq!(
            decide(Some(&reviewer), Action::ReviewApplications),
            Decision::SetUpSecondFactor
        );
        assert_eq!(
            decide(Some(&reviewer), Action::ManageOwnAccount),
            Decision::Allow
        );
        let reviewer = Principal {
            second_factor: true,
            ..reviewer
        };
        assert_eq!(
            decide(Some(&reviewer), Action::ReviewApplications),
            Decision::Allow
        );
        assert_eq!(
            decide(Some(&reviewer), Action::Administer),
            Decision::Forbidden
        );
        assert_eq!(
            decide(Some(&reviewer), Action::EditOrganisation("org-a")),
            Decision::Forbidden
        );
        let expert = Principal {
            expert: true,
            ..person()
        };
        assert_eq!(
            decide(Some(&expert), Action::RegisterOrganisation),
            Decision::SetUpSecondFactor
        );
    }

    #[test]
    fn an_unverified_address_can_only_manage_its_account() {
        let p = Principal {
            email_verified: false,
            ..person()
        };
        assert_eq!(decide(Some(&p), Action::ManageOwnAccount), Decision::Allow);
        assert_eq!(
            decide(Some(&p), Action::RegisterOrganisation),
            Decision::VerifyEmail
        );
    }

    #[test]
    fn role_codes_round_trip() {
        for r in [OrgRole::Owner, OrgRole::Editor, OrgRole::Viewer] {
            assert_eq!(OrgRole::from_code(r.code()), Some(r));
        }
        for r in [MinistryRole::Reviewer, MinistryRole::Administrator] {
            assert_eq!(MinistryRole::from_code(r.code()), Some(r));
        }
        assert_eq!(OrgRole::from_code("root"), None);
    }
}

//! TEMPORARY stand-in (replaced by the domain branch): statuses and decisions.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorStatus {
    Requested,
    Valid,
    Rejected,
    Suspended,
    Withdrawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityStatus {
    New,
    Valid,
    Rejected,
    Suspended,
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Validate,
    Reject { reason: String },
    Suspend { reason: String },
    Withdraw { reason: String },
    Reinstate,
}

impl Decision {
    pub fn reason(&self) -> Option<&str> {
        match self {
            Decision::Reject { reason }
            | Decision::Suspend { reason }
            | Decision::Withdraw { reason } => Some(reason),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError(&'static str);

impl TransitionError {
    pub fn code(&self) -> &'static str {
        self.0
    }
}

impl OperatorStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => Self::Requested,
            "valid" => Self::Valid,
            "rejected" => Self::Rejected,
            "suspended" => Self::Suspended,
            "withdrawn" => Self::Withdrawn,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Valid => "valid",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn apply(self, d: &Decision) -> Result<Self, TransitionError> {
        use Decision::*;
        match (self, d) {
            (Self::Requested, Validate) | (Self::Suspended, Reinstate) => Ok(Self::Valid),
            (Self::Requested, Reject { .. }) => Ok(Self::Rejected),
            (Self::Valid, Suspend { .. }) => Ok(Self::Suspended),
            (Self::Valid | Self::Suspended, Withdraw { .. }) => Ok(Self::Withdrawn),
            _ => Err(TransitionError("not_applicable")),
        }
    }
}

impl ActivityStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "new" => Self::New,
            "valid" => Self::Valid,
            "rejected" => Self::Rejected,
            "suspended" => Self::Suspended,
            "withdrawn" => Self::Withdrawn,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Valid => "valid",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn apply(self, d: &Decision) -> Result<Self, TransitionError> {
        use Decision::*;
        match (self, d) {
            (Self::New, Validate) | (Self::Suspended, Reinstate) => Ok(Self::Valid),
            (Self::New, Reject { .. }) => Ok(Self::Rejected),
            (Self::Valid, Suspend { .. }) => Ok(Self::Suspended),
            (Self::Valid | Self::Suspended, Withdraw { .. }) => Ok(Self::Withdrawn),
            _ => Err(TransitionError("not_applicable")),
        }
    }
}

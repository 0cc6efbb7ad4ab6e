//! TEMPORARY stand-in (replaced by the auth branch).

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
    pub is_system_admin: bool,
    pub current_membership_id: Option<String>,
}

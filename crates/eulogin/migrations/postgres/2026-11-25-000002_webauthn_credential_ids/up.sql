-- A security key or passkey credential belongs to one account only: the same credential id
-- registered to a second account (a client replaying another person's credential, or an
-- authenticator that hands out the same id twice) is refused by this index, even when two
-- registrations race.
CREATE UNIQUE INDEX second_factors_webauthn_credential ON second_factors (lookup) WHERE kind = 'webauthn';

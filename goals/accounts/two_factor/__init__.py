"""Two-factor sign-in for staff: a TOTP code (an authenticator app) after the password.

- ``devices``: who must use it (OTP_REQUIRED, OTP_REQUIRED_FOR_OFFICIALS), the user's
  authenticator and recovery codes (django-otp's TOTPDevice and StaticDevice), the QR code,
  and the reset an admin makes.
- ``middleware``: on staff and admin URLs, a signed-in user who has not given the second
  factor is sent to it (or to enrolment); the idle timeout of staff sessions.
- ``views``: the code step after the password, enrolment, recovery codes.

Flow: /staff/login/ (password, django-axes lockout) → /staff/two-factor/verify/ when the
user has an authenticator, or /staff/two-factor/enrol/ when it is required and they have
none → the page they asked for. Wrong codes count toward the same lockout as wrong
passwords, and each device throttles on its own (1, 2, 4, 8 … seconds).
"""

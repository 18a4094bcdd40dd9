"""Who may do what: roles and the objects each user may touch (permissions.py), sign-in
forms (forms.py), two-factor sign-in (two_factor/), the helpers every staff view shares
(staff.py: sign-in required, the user's departments, the plan staff work on);
commands create_demo_accounts and reset_2fa."""

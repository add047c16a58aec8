from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    # The errors a person meets most, in Trellis's words (allauth's keys, our sentences).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email address and password do not match. "
        "Please check both and try again.",
        "incorrect_password": "That is not this account's password. Please try again.",
        "rate_limited": "That was a lot of tries in a short time. Please wait a few minutes "
        "and try again.",
    }

    def get_reauthentication_methods(self, user) -> list[dict]:
        """allauth's ways to confirm it is you, its "Use authenticator app or code" in our words."""
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            if method["id"] == "mfa_reauthenticate":
                method["description"] = "Use a code from your phone, or a backup code"
        return methods

    def populate_username(self, request, user) -> None:
        """There is no username field to fill."""


class MFAAdapter(DefaultMFAAdapter):
    # A wrong code is the one two-step error people meet; allauth says "Incorrect code."
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code did not work. Please type the code your app shows now, "
        "or a backup code you have not used before.",
    }

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and couples"

    def ready(self) -> None:
        from accounts import audit  # noqa: F401  (connects the sign-in receivers)

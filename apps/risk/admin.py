"""Platform admin: the APT-1 model registry and each group's risk thresholds."""

from django.contrib import admin, messages

from .models import RiskModel, RiskThresholds
from .services import risk_model_activate


@admin.register(RiskModel)
class RiskModelAdmin(admin.ModelAdmin):
    list_display = ["version", "source", "is_active", "auc", "brier", "n_train", "n_holdout",
                    "created_at"]
    list_filter = ["is_active", "source"]
    readonly_fields = [f.name for f in RiskModel._meta.fields]
    actions = ["activate"]

    def has_add_permission(self, request):
        return False  # models come from `manage.py train_risk`

    @admin.action(description="Make the selected model the active one",
                  permissions=["change"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one model.", messages.ERROR)
            return
        model = risk_model_activate(model=queryset.get())
        self.message_user(request, f"{model.version} is now the active APT-1 model.",
                          messages.SUCCESS)


@admin.register(RiskThresholds)
class RiskThresholdsAdmin(admin.ModelAdmin):
    list_display = ["group", "deposit_from", "prepay_from"]
    autocomplete_fields = ["group"]

from django import forms

from .models import Group


class GroupCreateForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["slug", "name", "kind", "agency", "starts_on", "ends_on", "currency",
                  "venue_name", "venue_city", "venue_address", "welcome_text",
                  "primary_colour", "accent_colour", "hero_image_url"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}),
                   "ends_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") \
                and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", "The event cannot end before it starts.")
        return cleaned

from datetime import date

from django import forms

from .selectors import StayOptions
from .services.stay import MAX_ROOMS_PER_BOOKING


def _night_label(day: date) -> str:
    return day.strftime("%a %d %b %Y")


class StayForm(forms.Form):
    """What the guest asks for. Whether the block offers that room type on those nights is
    the booking service's to say (it reads the night rows anyway); the widgets list the
    choices offered."""

    room_type = forms.IntegerField(
        widget=forms.RadioSelect, min_value=1, max_value=2**63 - 1, error_messages={
            key: "Choose a room type."
            for key in ("required", "invalid", "min_value", "max_value")})
    check_in = forms.DateField(widget=forms.Select)
    check_out = forms.DateField(widget=forms.Select)
    quantity = forms.TypedChoiceField(coerce=int, initial=1, label="Rooms", choices=[
        (n, str(n)) for n in range(1, MAX_ROOMS_PER_BOOKING + 1)])
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, error_messages={
        key: "This page is out of date. Please reload it and try again."
        for key in ("required", "max_length")})

    def __init__(self, *args, options: StayOptions | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if options is not None:
            self.offer(options)

    def offer(self, options: StayOptions) -> None:
        """List the block's choices in the widgets (for showing the form)."""
        self.fields["room_type"].widget.choices = [(rt.pk, rt.name)
                                                   for rt in options.room_types]
        check_ins = options.nights
        check_outs = options.nights[1:] + [options.last_check_out]
        self.fields["check_in"].widget.choices = [(d.isoformat(), _night_label(d))
                                                  for d in check_ins]
        self.fields["check_out"].widget.choices = [(d.isoformat(), _night_label(d))
                                                   for d in check_outs]

    def clean(self):
        cleaned = super().clean()
        check_in, check_out = cleaned.get("check_in"), cleaned.get("check_out")
        if check_in and check_out and check_out <= check_in:
            self.add_error("check_out", "Check-out must be after check-in.")
        return cleaned


class GuestForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(max_length=254,
                             help_text="We send your confirmation and manage link here.")
    phone = forms.CharField(max_length=40, required=False)
    sharers = forms.CharField(max_length=300, required=False, label="Sharing with",
                              help_text="Names of anyone sharing your room.")
    special_requests = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text="Late arrival, accessibility, cot… "
                                                 "The hotel does its best.")


class ChangeForm(forms.Form):
    room_type = forms.TypedChoiceField(coerce=int)
    check_in = forms.DateField(widget=forms.Select)
    check_out = forms.DateField(widget=forms.Select)
    quantity = forms.TypedChoiceField(coerce=int, label="Rooms", choices=[
        (n, str(n)) for n in range(1, MAX_ROOMS_PER_BOOKING + 1)])

    def __init__(self, *args, options: StayOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].choices = [(rt.pk, rt.name) for rt in options.room_types]
        self.fields["check_in"].widget.choices = [(d.isoformat(), _night_label(d))
                                                  for d in options.nights]
        self.fields["check_out"].widget.choices = [
            (d.isoformat(), _night_label(d)) for d in options.nights[1:] + [options.last_check_out]]

"""Back-office forms for blocks. They validate input only; services make the change."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from apps.core.exceptions import ValidationFailed
from apps.core.money import minor_exponent
from apps.hotels.models import RoomType

from .models import BlockNight, RoomBlock
from .services import ReleaseMode, block_dates_validate, block_night_window


def major_to_minor(amount: Decimal, currency: str) -> int:
    """150.00 EUR -> 15000; refuses more decimals than the currency has."""
    minor = amount.scaleb(minor_exponent(currency))
    if minor != minor.to_integral_value():
        raise ValidationError(f"{currency} has {minor_exponent(currency)} decimal places.")
    return int(minor)


class RoomBlockForm(forms.ModelForm):
    class Meta:
        model = RoomBlock
        fields = "__all__"

    def clean(self):
        data = super().clean()
        arrival = data.get("arrival", getattr(self.instance, "arrival", None))
        departure = data.get("departure", getattr(self.instance, "departure", None))
        cutoff = data.get("cutoff_date")
        if arrival and departure and cutoff:
            try:
                block_dates_validate(arrival=arrival, departure=departure, cutoff_date=cutoff)
            except ValidationFailed as error:
                raise ValidationError(error.message) from error
        return data


class BlockForm(forms.Form):
    """A form about one block; rates are typed in major units of the group's currency."""

    def __init__(self, *args, block: RoomBlock, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.block = block
        self.currency = currency
        first, last = block_night_window(block)
        for name in ("first_night", "last_night"):
            if name in self.fields:
                self.fields[name].initial = first if name == "first_night" else last
                self.fields[name].help_text = f"Between {first} and {last}."

    def hotel_room_types(self):
        return RoomType.objects.filter(hotel_id=self.block.hotel_id)

    def block_room_types(self):
        ids = BlockNight.objects.filter(block=self.block).values("room_type_id")
        return RoomType.objects.filter(pk__in=ids)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_night"), data.get("last_night")
        if first and last and last < first:
            raise ValidationError("The last night is before the first night.")
        for name in ("net_rate", "sell_rate"):
            if data.get(name) is not None:
                try:
                    data[f"{name}_minor"] = major_to_minor(data[name], self.currency)
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                if data[f"{name}_minor"] > MAX_RATE_MINOR:
                    self.add_error(name, "That rate is far beyond any room's; check the "
                                         "amount and the currency.")
        return data


# Far above any real block, and within what the database columns hold.
MAX_ROOMS_A_NIGHT = 100_000
MAX_RATE_MINOR = 2**31 - 1  # per room per night, in minor units (VND, IDR: whole dong...)


def _date():
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class NightsSetForm(BlockForm):
    room_type = forms.ModelChoiceField(queryset=RoomType.objects.none())
    first_night = _date()
    last_night = _date()
    allotment = forms.IntegerField(min_value=0, max_value=MAX_ROOMS_A_NIGHT)
    net_rate = forms.DecimalField(min_value=0, decimal_places=2,
                                  help_text="What the hotel gets, per room per night.")
    sell_rate = forms.DecimalField(min_value=0, decimal_places=2,
                                   help_text="What the guest pays before taxes and fees.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = self.hotel_room_types()
        self.fields["net_rate"].label = f"Net rate ({self.currency})"
        self.fields["sell_rate"].label = f"Sell rate ({self.currency})"


class RoomTypeCopyForm(BlockForm):
    source = forms.ModelChoiceField(queryset=RoomType.objects.none(),
                                    label="Copy this room type")
    targets = forms.ModelMultipleChoiceField(queryset=RoomType.objects.none(),
                                             widget=forms.CheckboxSelectMultiple,
                                             label="onto these room types")
    copy_allotment = forms.BooleanField(required=False, initial=True)
    copy_rates = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = self.block_room_types()
        self.fields["targets"].queryset = self.hotel_room_types()


class NightCopyForm(BlockForm):
    source_night = forms.TypedChoiceField(coerce=lambda value: value, label="Copy this night")
    first_night = _date()
    last_night = _date()
    copy_allotment = forms.BooleanField(required=False, initial=True)
    copy_rates = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nights = (BlockNight.objects.filter(block=self.block).order_by("night")
                  .values_list("night", flat=True).distinct())
        self.fields["source_night"].choices = [(str(n), f"{n:%a %d %b %Y}") for n in nights]

    def clean_source_night(self):
        return forms.DateField().clean(self.cleaned_data["source_night"])


class ShoulderNightsForm(BlockForm):
    nights_before = forms.IntegerField(min_value=0, max_value=14, initial=0,
                                       label="Add nights before arrival")
    nights_after = forms.IntegerField(min_value=0, max_value=14, initial=0,
                                      label="Add nights after departure")
    allotment = forms.IntegerField(min_value=0, max_value=MAX_ROOMS_A_NIGHT, required=False,
                                   help_text="Rooms per room type on each new night. Blank: "
                                             "the same as the nearest night. Rates are always "
                                             "those of the nearest night.")

    def clean(self):
        data = super().clean()
        if not (data.get("nights_before") or data.get("nights_after")):
            raise ValidationError("Add at least one shoulder night.")
        return data


class ReleaseForm(BlockForm):
    room_type = forms.ModelChoiceField(queryset=RoomType.objects.none(), required=False,
                                       empty_label="All room types")
    first_night = _date()
    last_night = _date()
    mode = forms.ChoiceField(choices=[(ReleaseMode.TO, "down to this many rooms per night"),
                                      (ReleaseMode.BY, "by this many rooms per night")],
                             widget=forms.RadioSelect, initial=ReleaseMode.BY,
                             label="Release")
    rooms = forms.IntegerField(min_value=0, max_value=MAX_ROOMS_A_NIGHT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = self.block_room_types()

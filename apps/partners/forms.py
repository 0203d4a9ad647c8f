from django import forms

from apps.groups.models import Agency, Group

from .models import ApiToken, Partner


class TokenIssueForm(forms.Form):
    partner = forms.ModelChoiceField(Partner.objects.all())
    name = forms.CharField(max_length=100, initial="production",
                           help_text="What it is for, to tell tokens apart.")
    scopes = forms.MultipleChoiceField(choices=ApiToken.Scope.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       initial=[ApiToken.Scope.READ])
    groups = forms.ModelMultipleChoiceField(Group.objects.order_by("slug"), required=False,
                                            help_text="Groups the token reaches.")
    agency = forms.ModelChoiceField(Agency.objects.all(), required=False,
                                    help_text="Or every group of this agency, now and later.")

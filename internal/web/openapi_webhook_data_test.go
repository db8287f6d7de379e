package web

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// The document's WebhookCampaign is the data hooks posts with campaign
// and digest events, field for field, and says that campaign.finished
// also ends a campaign cancelled after it started.
func TestDocumentDescribesCampaignEventData(t *testing.T) {
	doc := loadOpenAPI(t)
	ref := doc.Components.Schemas["WebhookCampaign"]
	if ref == nil {
		t.Fatal("internal/web/openapi.json has no components.schemas.WebhookCampaign")
	}
	s := ref.Value
	var fields []string
	ct := reflect.TypeFor[hooks.Campaign]()
	for i := range ct.NumField() {
		name, _, _ := strings.Cut(ct.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
	}
	var documented []string
	for name := range s.Properties {
		documented = append(documented, name)
	}
	slices.Sort(fields)
	slices.Sort(documented)
	if diff := cmp.Diff(fields, documented); diff != "" {
		t.Errorf("WebhookCampaign's properties against hooks.Campaign's fields (-code +document):\n%s", diff)
	}
	required := slices.Clone(s.Required)
	slices.Sort(required)
	if diff := cmp.Diff(fields, required); diff != "" {
		t.Errorf("WebhookCampaign's required against hooks.Campaign's fields, every one always sent (-code +document):\n%s", diff)
	}
	if d := s.Properties["total"].Value.Description; !strings.Contains(d, "`campaign.started`") || !strings.Contains(d, "`audience`") {
		t.Errorf("WebhookCampaign.total does not say what campaign.started's total is: %s", d)
	}
	if !slices.Contains(s.Properties["status"].Value.Enum, any("cancelled")) {
		t.Error("WebhookCampaign.status does not list cancelled")
	}
	if d := doc.Components.Schemas["WebhookEvents"].Value.Description; !strings.Contains(d, "`campaign.finished`") || !strings.Contains(d, "cancelled") {
		t.Errorf("WebhookEvents does not say campaign.finished ends a cancelled campaign too: %s", d)
	}
}

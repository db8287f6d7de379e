package subscribers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// "News" and "news" are one list wherever a slug is looked up, so they
// count once toward MaxLists: 50 lists each given twice, in two cases,
// are 50, the first spelling kept; a 51st list is still one too many.
func TestListLimitCountsASlugInAnyCaseOnce(t *testing.T) {
	var lists []string
	for i := 1; i <= MaxLists; i++ {
		slug := fmt.Sprintf("many-%02d", i)
		lists = append(lists, strings.ToUpper(slug), slug)
	}
	in := &Signup{Email: "zoe@example.com", Lists: lists}
	if err := in.Normalize(); err != nil {
		t.Fatalf("50 lists, each given in two cases: %v", err)
	}
	if len(in.Lists) != MaxLists || in.Lists[0] != "MANY-01" {
		t.Errorf("normalized to %d lists starting %q, want 50 starting with the first spelling", len(in.Lists), in.Lists[0])
	}
	in = &Signup{Email: "zoe@example.com", Lists: append(lists, "many-51")}
	if got := bulletin.ErrorFields(in.Normalize())["lists"]; got != "choose at most 50 lists" {
		t.Errorf("51 lists: lists error %q, want the limit's", got)
	}
}

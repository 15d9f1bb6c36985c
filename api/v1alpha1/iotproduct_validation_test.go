package v1alpha1_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The platform cannot clear a product's description (UpdateProduct takes 1 to 100
// characters), so removing or emptying one that is set is refused with a message saying why;
// changing it, and leaving out one that was never set, stay allowed.
func TestIoTProductDescriptionCannotBeRemovedOnceSet(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	withoutDescription := strings.Replace(validIoTProduct, "  description: a sensor\n", "", 1)
	cases := []struct {
		name    string
		base    string
		patch   string
		wantErr string // "" when the patch must be accepted
	}{
		{"removed", validIoTProduct, `{"spec":{"description":null}}`, "description cannot be removed or emptied once set"},
		{"emptied", validIoTProduct, `{"spec":{"description":""}}`, "the platform cannot clear a product's description"},
		{"changed", validIoTProduct, `{"spec":{"description":"another sensor"}}`, ""},
		{"set where there was none", withoutDescription, `{"spec":{"description":"a sensor"}}`, ""},
		{"still none", withoutDescription, `{"spec":{"productName":"renamed_sensor"}}`, ""},
		{"other fields change while it is set", validIoTProduct, `{"spec":{"deletionPolicy":"Orphan"}}`, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := object(t, ns, tc.base)
			obj.SetName(fmt.Sprintf("description-%d", i))
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("creating the base object: %v", err)
			}
			err := k8s.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(tc.patch)))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("patch %s rejected: %v", tc.patch, err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("patch %s accepted; want rejection containing %q", tc.patch, tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("rejected with\n  %v\nwant a message containing\n  %q", err, tc.wantErr)
			}
		})
	}
}

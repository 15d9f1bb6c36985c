package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
)

// maxEvents is how many of the resource's latest events the screen shows.
const maxEvents = 10

func newStatusCommand() *cobra.Command {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	overrides := &clientcmd.ConfigOverrides{}
	c := &cobra.Command{
		Use:   "status KIND/NAME",
		Short: "One screen on a resource: its conditions, its last events, and the way out of a deletion that waits",
		Long: `Shows an IoTProduct or FlipsnackFeed (iotp/NAME, fsfeed/NAME, iotproduct/NAME, ...): its
identity, its conditions with their reasons and messages, when the platform was last seen
matching, and its latest events. For a resource being deleted, it says why the deletion waits
and prints the exact commands that let it finish or let the resource go.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			config := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
			return showStatus(cmd.Context(), config, args[0], cmd.OutOrStdout(), time.Now())
		},
	}
	c.Flags().StringVar(&rules.ExplicitPath, "kubeconfig", "", "the kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
	clientcmd.BindOverrideFlags(overrides, c.Flags(), clientcmd.RecommendedConfigOverrideFlags(""))
	return c
}

func showStatus(ctx context.Context, config clientcmd.ClientConfig, arg string, out io.Writer, now time.Time) error {
	restConfig, err := config.ClientConfig()
	if err != nil {
		return err
	}
	namespace, _, err := config.Namespace()
	if err != nil {
		return err
	}
	resource, name, ok := strings.Cut(arg, "/")
	if !ok || name == "" {
		return fmt.Errorf("%q: want KIND/NAME, e.g. iotproduct/temperature-sensor", arg)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(restConfig)
	if err != nil {
		return err
	}
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), dc, nil)
	gvk, err := mapper.KindFor(schema.GroupVersionResource{Resource: strings.ToLower(resource)})
	if err != nil {
		return fmt.Errorf("%s: %w", resource, err)
	}
	var kind *v1alpha1.Kind
	for i := range v1alpha1.Kinds {
		if gvk.Group == v1alpha1.GroupVersion.Group && gvk.Kind == v1alpha1.Kinds[i].Name {
			kind = &v1alpha1.Kinds[i]
		}
	}
	if kind == nil {
		return fmt.Errorf("%s is a %s: status reads the operator's kinds only (iotproduct, flipsnackfeed)", resource, gvk.Kind)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	c, err := client.New(restConfig, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	obj := kind.New().(engine.Managed)
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, obj); err != nil {
		return err
	}
	var events eventsv1.EventList
	if err := c.List(ctx, &events, client.InNamespace(namespace), client.MatchingFields{"regarding.uid": string(obj.GetUID())}); err != nil {
		return fmt.Errorf("listing the events of %s/%s: %w", kind.Name, name, err)
	}
	s := statusScreen{kind: *kind, obj: obj, events: events.Items, now: now}
	return s.write(out)
}

// statusScreen is what `status` prints about one resource.
type statusScreen struct {
	kind   v1alpha1.Kind
	obj    engine.Managed
	events []eventsv1.Event
	now    time.Time
}

func (s statusScreen) write(out io.Writer) error {
	obj, st := s.obj, s.obj.GetCommonStatus()
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s %s/%s\n", s.kind.Name, obj.GetNamespace(), obj.GetName())
	fmt.Fprintf(w, "Identity:\t%s\n", orDash(obj.GetAnnotations()[v1alpha1.ExternalIDAnnotation]))
	fmt.Fprintf(w, "Generation:\t%d (status describes %d)\n", obj.GetGeneration(), st.ObservedGeneration)
	if st.LastSyncTime != nil {
		fmt.Fprintf(w, "Last sync:\t%s ago (%s)\n", s.ago(st.LastSyncTime.Time), st.LastSyncTime.UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(w, "Last sync:\tnever\n")
	}
	for _, t := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionReconciling, v1alpha1.ConditionStalled, v1alpha1.ConditionPaused} {
		c := meta.FindStatusCondition(st.Conditions, t)
		if c == nil {
			if t != v1alpha1.ConditionPaused {
				fmt.Fprintf(w, "%s:\t(not reported yet)\n", t)
			}
			continue
		}
		fmt.Fprintf(w, "%s:\t%s %s, %s ago\n", t, c.Status, c.Reason, s.ago(c.LastTransitionTime.Time))
		if c.Status == metav1.ConditionTrue || t == v1alpha1.ConditionReady {
			fmt.Fprintf(w, "\t%s\n", c.Message)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	s.writeEvents(out)
	if obj.GetDeletionTimestamp() != nil {
		s.writeDeletion(out)
	}
	return nil
}

func (s statusScreen) writeEvents(out io.Writer) {
	events := s.events
	sort.Slice(events, func(i, j int) bool { return eventTime(events[i]).Before(eventTime(events[j])) })
	if len(events) > maxEvents {
		events = events[len(events)-maxEvents:]
	}
	fmt.Fprintf(out, "\nEvents (the last %d):\n", maxEvents)
	if len(events) == 0 {
		fmt.Fprintln(out, "  none (events are kept for an hour)")
		return
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, e := range events {
		count := ""
		if e.Series != nil && e.Series.Count > 1 {
			count = fmt.Sprintf(" (x%d)", e.Series.Count)
		}
		fmt.Fprintf(w, "  %s ago\t%s\t%s%s\t%s\n", s.ago(eventTime(e)), e.Type, e.Reason, count, e.Note)
	}
	_ = w.Flush()
}

// writeDeletion says why a deletion waits and prints the commands that end it.
func (s statusScreen) writeDeletion(out io.Writer) {
	obj := s.obj
	ref := fmt.Sprintf("%s %s -n %s", strings.ToLower(s.kind.Name), obj.GetName(), obj.GetNamespace())
	fmt.Fprintf(out, "\nDeletion requested %s ago.\n", s.ago(obj.GetDeletionTimestamp().Time))
	if !hasFinalizer(obj) {
		fmt.Fprintln(out, "The operator has let it go; the API server removes it once every other finalizer is gone:", strings.Join(obj.GetFinalizers(), ", "))
		return
	}
	conditions := obj.GetCommonStatus().Conditions
	ready := meta.FindStatusCondition(conditions, v1alpha1.ConditionReady)
	paused := meta.IsStatusConditionTrue(conditions, v1alpha1.ConditionPaused)
	stalled := meta.IsStatusConditionTrue(conditions, v1alpha1.ConditionStalled)
	orphan := fmt.Sprintf(`kubectl patch %s --type merge -p '{"spec":{"deletionPolicy":"Orphan"}}'`, ref)
	var why string
	var ways []string
	switch {
	case paused:
		why = "it is paused (" + v1alpha1.PausedAnnotation + "): the operator makes no platform call for it, the deletion included."
		ways = append(ways, "resume it, and the operator deletes the product:\n      kubectl annotate "+ref+" "+v1alpha1.PausedAnnotation+"-")
	case ready != nil && ready.Reason == "DeletionGuarded":
		why = ready.Message
		ways = append(ways, "remove the product's devices on the platform (the operator looks again and then deletes it), or let the product go with its devices:\n      kubectl patch "+ref+` --type merge -p '{"spec":{"deletionGuard":"None"}}'`)
	case stalled && ready != nil:
		why = ready.Message
		if secret := obj.GetCredentialsSecretName(); secret != "" && (ready.Reason == "CredentialsError" || ready.Reason == "NotFoundElsewhere" || strings.Contains(ready.Message, "credentials")) {
			ways = append(ways, fmt.Sprintf("fix or restore the credentials Secret it names (the operator tries again when it changes):\n      kubectl get secret %s -n %s", secret, obj.GetNamespace()))
		} else {
			ways = append(ways, "fix what the message names; the operator tries again when the resource or its Secret changes, else every --stalled-retry-period")
		}
	case ready != nil:
		why = "the operator is at work (" + ready.Reason + "): " + ready.Message
		ways = append(ways, "wait for it:\n      kubectl wait --for=delete "+strings.ToLower(s.kind.Name)+"/"+obj.GetName()+" -n "+obj.GetNamespace()+" --timeout=10m")
	default:
		why = "the operator has reported nothing on it yet: check that it runs and watches this namespace."
		ways = append(ways, "look at the operator:\n      kubectl get pods -A -l app.kubernetes.io/name=product-lifecycle-operator")
	}
	ways = append(ways, "let the resource go and leave the "+s.noun()+" on the platform:\n      "+orphan)
	fmt.Fprintf(out, "Why it waits: %s\nWays out:\n", why)
	for i, way := range ways {
		fmt.Fprintf(out, "  %d. %s\n", i+1, way)
	}
	i := slices.Index(obj.GetFinalizers(), v1alpha1.Finalizer)
	fmt.Fprintf(out, "Only if the operator is gone for good (Orphan needs it running), remove its finalizer; the %s is then left on the platform, tracked by nothing:\n"+
		"      kubectl patch %s --type json -p '[{\"op\":\"test\",\"path\":\"/metadata/finalizers/%d\",\"value\":\"%s\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/%d\"}]'\n",
		s.noun(), ref, i, v1alpha1.Finalizer, i)
}

func (s statusScreen) noun() string {
	if s.kind.Name == "FlipsnackFeed" {
		return "feed's products"
	}
	return "product"
}

func hasFinalizer(obj client.Object) bool {
	return slices.Contains(obj.GetFinalizers(), v1alpha1.Finalizer)
}

// eventTime is when an event last happened: its series' last time, else its own.
func eventTime(e eventsv1.Event) time.Time {
	switch {
	case e.Series != nil:
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.DeprecatedLastTimestamp.Time
}

func (s statusScreen) ago(t time.Time) string { return duration.HumanDuration(s.now.Sub(t)) }

func orDash(v string) string {
	if v == "" {
		return "-"
	}
	return v
}

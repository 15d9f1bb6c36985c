// Package prodlifetest runs the product-lifecycle-operator inside another module's envtest
// suite: both platforms' API simulators, the operator's controllers against an API server
// with the operator's CRDs, RBAC and admission policies, each test in a namespace of its own
// with credentials the simulators accept. No cloud account and no path into the operator's
// repository are needed.
//
// One API server for a package, tests in parallel:
//
//	func TestMain(m *testing.M) { prodlifetest.Main(m) }
//
//	func TestDeletingAnIoTProductCallsDeleteProductOnce(t *testing.T) {
//		t.Parallel()
//		env := prodlifetest.Start(t, prodlifetest.Options{}) // in its own namespace, env.Namespace
//		p := &v1alpha1.IoTProduct{
//			ObjectMeta: metav1.ObjectMeta{Namespace: env.Namespace, Name: "thermostat"},
//			Spec: v1alpha1.IoTProductSpec{ProductName: "thermostat", Region: "cn-shanghai",
//				CredentialsSecretRef: &v1alpha1.SecretReference{Name: prodlifetest.AlibabaSecretName}},
//		}
//		if err := env.Client.Create(context.Background(), p); err != nil {
//			t.Fatal(err)
//		}
//		env.WaitForCondition(t, p, "Ready", metav1.ConditionTrue)
//		if err := env.Client.Delete(context.Background(), p); err != nil {
//			t.Fatal(err)
//		}
//		env.WaitForDeletion(t, p)
//		if calls := env.Alibaba.Calls("DeleteProduct"); len(calls) != 1 || calls[0].Code != "OK" {
//			t.Errorf("DeleteProduct calls: %+v, want one answered OK", calls)
//		}
//	}
//
// # What runs
//
// Start starts the two simulators (packages pkg/simulator/alibabaiot and
// pkg/simulator/flipsnack) on loopback HTTP servers; Env.Alibaba and Env.Flipsnack are
// their Go inspection and fault-injection APIs (seed products, read the call log, make an
// action fail). It makes Env.Namespace with the credentials Secrets, and runs a manager wired
// exactly as the operator's command is (controllers.SetupAll, engine.ClientOptions and
// CacheOptions) watching that namespace, as the operator's ServiceAccount (ManagerUsername)
// with the RBAC of the module's config/rbac; the admission policies trust that identity (and
// cluster administrators, as Env.Client is) to write the operator's annotations. When the test ends, however it ends, the operator
// deletes what the test left in its namespace (so nothing is left on the platforms), and
// everything stops through t.Cleanup.
//
// # The API server
//
// With Main as TestMain, every Env of the package shares one envtest API server, started by
// the first Start and stopped after the last test; Main also makes etcd and kube-apiserver
// die with the test binary when no cleanup runs (a -timeout, a kill) and silences
// controller-runtime's process-wide logger. Without Main, Start starts an API server for its
// test alone. Both take etcd and kube-apiserver from the folder KUBEBUILDER_ASSETS names
// (e.g. `KUBEBUILDER_ASSETS=$(setup-envtest use -p path) go test ./...`); Start fails the
// test saying so when the variable is missing. With Options.Config, the kit uses the caller's
// API server (typically an envtest.Environment the caller started), which must let the
// config impersonate and request ServiceAccount tokens (envtest's admin may). envtest runs no
// controllers: a deleted namespace stays Terminating.
//
// # Stability
//
// The exported API is deliberately small: Main, Start, Options, Env and its methods, and the
// constants of this package. It follows the operator module's version; fields may be added
// to Options and Env, none removed or changed within a minor version.
package prodlifetest

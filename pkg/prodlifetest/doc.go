// Package prodlifetest runs the product-lifecycle-operator inside another module's envtest
// suite: both platforms' API simulators, the operator's controllers against the test's API
// server, the operator's CRDs and admission policies, and credentials the simulators accept.
// No cloud account and no path into the operator's repository are needed.
//
//	func TestDeleteCallsThePlatformOnce(t *testing.T) {
//		env := prodlifetest.Start(t, prodlifetest.Options{Config: cfg}) // cfg: your envtest's
//		env.CreateCredentials(t, "default")
//		p := &v1alpha1.IoTProduct{ ... CredentialsSecretRef: prodlifetest.AlibabaSecretName ... }
//		// create p, env.WaitForCondition(t, p, "Ready", metav1.ConditionTrue), delete p,
//		// env.WaitForDeletion(t, p), then:
//		if n := len(env.Alibaba.Calls("DeleteProduct")); n != 1 { t.Errorf(...) }
//	}
//
// # What runs
//
// Start starts the two simulators (packages pkg/simulator/alibabaiot and
// pkg/simulator/flipsnack) on loopback HTTP servers; Env.Alibaba and Env.Flipsnack are
// their Go inspection and fault-injection APIs (seed products, read the call log, make an
// action fail). It installs the CRDs and the admission policies embedded in the module
// (package config), and runs a manager wired exactly as the operator's command is
// (controllers.SetupAll, engine.ClientOptions and CacheOptions), as the user
// ManagerUsername, the one identity the policies trust to write the operator's annotations.
// Everything stops through t.Cleanup when the test ends.
//
// # The API server
//
// With Options.Config, the kit uses the caller's API server (typically an envtest.Environment
// the caller started): the config must be allowed to impersonate (envtest's admin, in
// system:masters, is). The manager impersonates ManagerUsername in system:masters. Run one Env
// per API server at a time: two would reconcile the same objects.
//
// Without Options.Config, the kit starts an envtest API server of its own, from the etcd and
// kube-apiserver binaries in the folder named by the environment variable KUBEBUILDER_ASSETS
// (e.g. `KUBEBUILDER_ASSETS=$(setup-envtest use -p path) go test ./...`); how to get them is
// the caller's business, and Start fails the test saying so when the variable is missing.
// envtest runs no controllers: a deleted namespace stays Terminating.
//
// # Stability
//
// The exported API is deliberately small: Start, Options, Env and its methods, and the
// constants of this package. It follows the operator module's version; fields may be added
// to Options and Env, none removed or changed within a minor version.
package prodlifetest

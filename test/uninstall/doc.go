// Package uninstall tests what deleting the CRDs (an uninstall) does to the products: the
// operator lets every resource go and leaves its product on the platform. It runs its own
// API server, because deleting the CRDs would break any suite that shares one.
package uninstall

// Package feedplan plans a feed's push with no I/O and no Kubernetes: the desired products in
// the platform's field names and types, a hash of each field, the record of what was pushed
// (status.pushed) and the difference between the two. The feed adapter
// (controllers/flipsnackfeed) reads the products and calls the platform with the plan.
package feedplan

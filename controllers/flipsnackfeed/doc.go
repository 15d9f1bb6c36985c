// Package flipsnackfeed is the FlipsnackFeed kind's adapter to Flipsnack product feeds
// (internal/flipsnack): the plan of each push (plan.go, sku.go, with no I/O), the record of
// what was pushed (record.go) and the controller that runs it on the lifecycle engine.
package flipsnackfeed

package flipsnackfeed

import (
	"flag"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// BindFlags registers the Flipsnack client's settings on fs as the operator's flags, with
// their defaults, writing into o: the platform's part of the command line, kept beside its
// adapter so that main.go names no platform.
func BindFlags(fs *flag.FlagSet, o *flipsnack.Options) {
	fs.StringVar(&o.Endpoint, "flipsnack-endpoint", flipsnack.DefaultEndpoint, "URL of the Flipsnack API; https, or http to a loopback address only.")
	fs.IntVar(&o.PerSecond, "flipsnack-rate-per-second", 5, "Client-side Flipsnack requests per second, per apiKey (the documented limit).")
	fs.IntVar(&o.PerMinute, "flipsnack-rate-per-minute", 60, "Client-side Flipsnack requests per minute, per apiKey (the documented limit).")
	fs.DurationVar(&o.Timeout, "flipsnack-timeout", flipsnack.DefaultTimeout, "Timeout of one Flipsnack API call.")
	fs.Var((*flipsnack.MessageList)(&o.NotFoundMessages), "flipsnack-not-found-messages", "Comma-separated texts (case-insensitive) that mark a Flipsnack code-40 answer to products.delete or products.update as \"the feed or the products are not there\"; "+
		"a delete answered so counts as done. Any other code-40 answer keeps the deletion retrying with the answer in its condition. Empty means no answer counts as \"not there\". Default: "+strings.Join(flipsnack.DefaultNotFoundMessages, ","))
}

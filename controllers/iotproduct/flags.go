package iotproduct

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
)

// BindFlags registers the Alibaba client's settings on fs as the operator's flags, with their
// defaults, writing into o: the platform's part of the command line, kept beside its adapter
// so that main.go names no platform.
func BindFlags(fs *flag.FlagSet, o *alibaba.Options) {
	if o.QPS == nil {
		o.QPS = map[string]float64{}
	}
	fs.StringVar(&o.Endpoint, "alibaba-endpoint", "", "URL of the Alibaba Cloud IoT API (default: the resource's region's https://iot.<region>.aliyuncs.com); https, or http to a loopback address only.")
	fs.StringVar(&o.STSEndpoint, "alibaba-sts-endpoint", "", "URL of Alibaba Cloud STS, asked once per set of credentials which account they belong to (GetCallerIdentity, which needs no permission): every key of one account shares that account's rate limits (default: --alibaba-endpoint when set, else https://sts.<region>.aliyuncs.com).")
	fs.StringVar(&o.DefaultRegion, "alibaba-default-region", "cn-shanghai", "Region used when a call names none.")
	fs.DurationVar(&o.Timeout, "alibaba-timeout", 10*time.Second, "Timeout of one Alibaba API call.")
	fs.Var(qpsFlag(o.QPS), "alibaba-qps", "Client-side QPS per Alibaba account and action, as Action=N pairs separated by commas (default: the documented limits, CreateProduct=50,QueryProduct=50,UpdateProduct=10,DeleteProduct=500,QueryProductList=50).")
}

// qpsFlag reads Action=N pairs into a map of per-action rate limits.
type qpsFlag map[string]float64

func (q qpsFlag) String() string {
	var parts []string
	for action, n := range q {
		parts = append(parts, fmt.Sprintf("%s=%g", action, n))
	}
	return strings.Join(parts, ",")
}

func (q qpsFlag) Set(value string) error {
	for _, pair := range strings.Split(value, ",") {
		action, n, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return fmt.Errorf("%q is not Action=N", pair)
		}
		qps, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return fmt.Errorf("%q: %w", pair, err)
		}
		q[action] = qps
	}
	return nil
}

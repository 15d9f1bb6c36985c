package flipsnack

// inBatches sends the items [0, n) in consecutive batches of at most MaxBatch. When the platform
// answers 51 (too many products in one request) it halves that batch and tries again, and keeps
// the smaller size for the rest of the operation: the platform's real limit is evidently lower
// than we thought, and asking again at the old size would only cost another call of the budget.
// A 51 for a single item cannot be helped by splitting and is returned (it classifies as
// TerminalInput).
func (c *Client) inBatches(n int, send func(lo, hi int) error) error {
	size := c.set.maxBatch
	for lo := 0; lo < n; {
		hi := min(lo+size, n)
		err := send(lo, hi)
		if err != nil && hi-lo > 1 && isCode(err, CodeTooManyProducts) {
			size = (hi - lo) / 2
			continue
		}
		if err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

package dataset

// Case is one held-out prediction: given a user's history (oldest first),
// the model must rank Target.
type Case struct {
	User    int32
	History []int32
	Target  int32
}

// Split is a leave-one-out split: for every user with at least three
// interactions the last is the test target and the one before it the
// validation target.
type Split struct {
	// Train has every user's sequence without the last two items (users
	// with fewer than three interactions keep all of theirs). Models are
	// tuned by training here and scoring Valid.
	Train *Dataset
	// Full has every sequence without the last item: train plus the
	// validation items. Final models train here and are scored on Test.
	Full *Dataset
	// Valid asks for the second-to-last item given the ones before it;
	// Test asks for the last item given all the ones before it.
	Valid, Test []Case
}

// LeaveOneOut splits d. No test target appears in Train or Full at its
// own position, and no validation target appears in Train at its position.
func LeaveOneOut(d *Dataset) *Split {
	n := len(d.Seqs)
	trainSeqs, trainTimes := make([][]int32, n), make([][]int64, n)
	fullSeqs, fullTimes := make([][]int32, n), make([][]int64, n)
	s := &Split{}
	for u, seq := range d.Seqs {
		times := d.Times[u]
		if len(seq) < 3 {
			trainSeqs[u], trainTimes[u] = seq, times
			fullSeqs[u], fullTimes[u] = seq, times
			continue
		}
		k := len(seq)
		trainSeqs[u], trainTimes[u] = seq[:k-2:k-2], times[:k-2:k-2]
		fullSeqs[u], fullTimes[u] = seq[:k-1:k-1], times[:k-1:k-1]
		s.Valid = append(s.Valid, Case{User: int32(u), History: seq[: k-2 : k-2], Target: seq[k-2]})
		s.Test = append(s.Test, Case{User: int32(u), History: seq[: k-1 : k-1], Target: seq[k-1]})
	}
	s.Train = d.withSeqs(trainSeqs, trainTimes)
	s.Full = d.withSeqs(fullSeqs, fullTimes)
	return s
}

// Package eval runs Aisle's offline evaluations and reports them.
//
// Experiment compares every model of the set, a strong baseline and the
// fused ranking as served under the leave-one-out protocol; ColdStart
// measures how items without interactions get recommended;
// FusionExperiment compares the content model over text, behaviour and
// fused item vectors; SearchBenchmark scores search on a catalog's
// categories; RunImage (ImageExperiment over EmbedPhotos) scores the photo
// classifier and search by photo, on a photo dataset's own train,
// validation and test splits when it has them; RunPhotoQA asks generated
// category, sleeve and colour questions of test photos with no text through
// the real photo pipeline and Q&A answerer. WriteTable and PublishedFor report results beside published
// ones, and Import and Run are the aisle eval command's library: import a
// dataset, run a task, write its text or JSON report.
//
// Every model is measured beyond accuracy too (novelty, popularity bias,
// intra-list diversity), so gains that only push the popular head show.
//
// The metrics themselves are package metric's (eval/metric), which
// training also uses to choose on validation items; eval builds on
// package train, never the reverse.
package eval

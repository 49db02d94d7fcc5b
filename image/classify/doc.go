// Package classify predicts an item's category from a feature vector, such
// as the CNN embedding of its photo (package onnx), with a classifier
// trained on the store's own labelled items.
//
// # Model
//
// Softmax is multinomial logistic regression: for an input x, L2-normalised
// and, with Config.Standardize, standardised per dimension with the
// training set's means and deviations, the probability of class k is
// softmax(W·x + b)_k. Train fits W and b by full-batch L-BFGS
// (gonum.org/v1/gonum/optimize) on the mean cross-entropy plus
// λ/2·‖W‖² (the biases are not penalised). The penalty λ is chosen by
// stratified k-fold cross-validation on the training set alone: the λ with
// the best held-out accuracy (ties: the lower held-out cross-entropy,
// then the larger λ), after which the model is refit on the whole set.
// Extra views of a training input (the embedding of its horizontally
// flipped photo, say) are trained with its label and kept in its fold, so
// cross-validation never scores an input whose twin it was trained on.
//
// Training is deterministic: the folds follow the input order, the
// optimiser starts from zero and runs serially, so the same inputs and
// Config give the same model bit for bit on one machine.
//
// # Format
//
// MarshalBinary writes a versioned, checksummed little-endian encoding
// that UnmarshalBinary checks before using any of it.
package classify

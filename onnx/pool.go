package onnx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	ort "github.com/yalue/onnxruntime_go"
)

// ErrClosed is returned by Encode after Close.
var ErrClosed = errors.New("onnx: encoder closed")

// session is one ONNX Runtime session and the run options used to stop it.
type session struct {
	s   *ort.DynamicAdvancedSession
	run *ort.RunOptions
}

// sessionPool is a fixed set of sessions on one model, each serving one run
// at a time, and the runtime reference they hold. The encoders embed it;
// its rt and closing are set when it is made, then open creates the
// sessions.
type sessionPool struct {
	rt        *Runtime
	all       []*session
	sessions  chan *session // the idle ones
	closing   chan struct{} // closed when close begins
	closeOnce sync.Once
	closeErr  error
}

// newPool returns the fields of a pool on rt, for a composite literal.
func newPool(rt *Runtime) sessionPool {
	return sessionPool{rt: rt, closing: make(chan struct{})}
}

// open creates n sessions on model, each with threads intra-op threads and
// the session configuration entries in config (ONNX Runtime's keys, e.g.
// session.intra_op.allow_spinning), reading inputs and writing outputs by
// name.
func (p *sessionPool) open(model string, inputs, outputs []string, n, threads int, config map[string]string) error {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(threads); err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	for k, v := range config {
		if err := opts.AddSessionConfigEntry(k, v); err != nil {
			return fmt.Errorf("session option %s: %w", k, err)
		}
	}
	p.sessions = make(chan *session, n)
	for range n {
		s, err := ort.NewDynamicAdvancedSession(model, inputs, outputs, opts)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		run, err := ort.NewRunOptions()
		if err != nil {
			s.Destroy()
			return fmt.Errorf("run options: %w", err)
		}
		ss := &session{s: s, run: run}
		p.all = append(p.all, ss)
		p.sessions <- ss
	}
	return nil
}

// acquire takes an idle session, waiting for one.
func (p *sessionPool) acquire(ctx context.Context) (*session, error) {
	select {
	case <-p.closing:
		return nil, ErrClosed
	default:
	}
	select {
	case s := <-p.sessions:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closing:
		return nil, ErrClosed
	}
}

// release returns a session taken by acquire.
func (p *sessionPool) release(s *session) { p.sessions <- s }

// runStoppable runs s, terminating the run if ctx ends meanwhile. An
// output ONNX Runtime allocates is left in outputs, for the caller to
// destroy, even when ctx ended.
func (p *sessionPool) runStoppable(ctx context.Context, s *session, inputs, outputs []ort.Value) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		s.run.Terminate()
	})
	err := s.s.RunWithOptions(inputs, outputs, s.run)
	if !stop() {
		<-terminated
		s.run.UnsetTerminate()
		return ctx.Err()
	}
	return err
}

// forBatches calls encode for batches 0 to n-1, in order when there is one
// batch or one session, else from as many workers as there are sessions,
// and returns the first error, which stops the batches not yet started.
func (p *sessionPool) forBatches(ctx context.Context, n int, encode func(ctx context.Context, i int) error) error {
	sessions := cap(p.sessions) // len(p.all) is 0 after close
	if n <= 1 || sessions == 1 {
		for i := range n {
			if err := encode(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, sessions) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := encode(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// close waits for running batches, then releases the sessions and the
// runtime reference; acquire returns ErrClosed afterwards. Calling it again
// returns the first call's result.
func (p *sessionPool) close() error {
	p.closeOnce.Do(func() {
		close(p.closing)
		for range p.all {
			<-p.sessions
		}
		p.closeErr = p.destroy()
	})
	return p.closeErr
}

// destroy releases the sessions (all idle) and the runtime.
func (p *sessionPool) destroy() error {
	var errs []error
	for _, s := range p.all {
		errs = append(errs, s.s.Destroy(), s.run.Destroy())
	}
	p.all = nil
	errs = append(errs, p.rt.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("onnx: close: %w", err)
	}
	return nil
}

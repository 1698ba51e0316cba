package cli

import (
	"cmp"
	"context"

	"github.com/lakeops/lakeops/aws/deploy/stack"
)

// Stack reads the settings of the lakeops stack named by --stack (its
// state machine, Athena workgroup and database, from the stack's outputs;
// aws/deploy/stack.Lookup), once. Engine fills Athena's options from it,
// and the AWS flow commands take its state machine.
func (r *Root) Stack(ctx context.Context) (stack.Settings, error) {
	if r.stack != nil {
		return *r.stack, nil
	}
	cfg, err := r.AWSConfig(ctx)
	if err != nil {
		return stack.Settings{}, err
	}
	s, err := stack.Lookup(ctx, cfg, r.g.Stack, stack.Options{Profile: r.g.Profile})
	if err != nil {
		return stack.Settings{}, err
	}
	r.stack = &s
	return s, nil
}

// withStack fills the Athena options that neither the command nor the
// settings gave from --stack's outputs.
func (r *Root) withStack(ctx context.Context, opts *EngineOptions) error {
	if !opts.Athena || r.g.Stack == "" {
		return nil
	}
	s, err := r.Stack(ctx)
	if err != nil {
		return err
	}
	a := &opts.AthenaOptions
	a.Database, a.Workgroup, a.OutputLocation = cmp.Or(a.Database, s.Database), cmp.Or(a.Workgroup, s.WorkGroup), cmp.Or(a.OutputLocation, s.OutputLocation)
	return nil
}

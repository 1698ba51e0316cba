package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/worker"
)

// The fault tests run every worker action in a child process (this test
// binary, like a Lambda function's or an ECS task's own process) that a
// kill store SIGKILLs just before or after a chosen write; the state
// machine's Retry runs the action again in a fresh process.
const (
	envWorkerLake = "LAKEOPS_TEST_WORKER_LAKE"
	envKillKey    = "LAKEOPS_TEST_WORKER_KILL_KEY" // kill at the first write to a key containing this
	envKillOp     = "LAKEOPS_TEST_WORKER_KILL_OP"  // put, delete or copy (default: any write)
	envKillAfter  = "LAKEOPS_TEST_WORKER_KILL_AFTER"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envWorkerLake); dir != "" {
		os.Exit(workerChild(dir))
	}
	os.Exit(m.Run())
}

// killStore SIGKILLs its process at the first write matching key and op.
type killStore struct {
	storage.Store
	key, op string
	after   bool
}

func (k *killStore) write(op, key string, fn func() error) error {
	hit := k.key != "" && strings.Contains(key, k.key) && (k.op == "" || k.op == op)
	if hit && !k.after {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	err := fn()
	if hit && k.after {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return err
}

func (k *killStore) Put(ctx context.Context, key string, body io.Reader) error {
	return k.write("put", key, func() error { return k.Store.Put(ctx, key, body) })
}

func (k *killStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	return k.write("put", key, func() error { return k.Store.PutIfAbsent(ctx, key, data) })
}

func (k *killStore) Delete(ctx context.Context, key string) error {
	return k.write("delete", key, func() error { return k.Store.Delete(ctx, key) })
}

func (k *killStore) Copy(ctx context.Context, src, dst string) error {
	return k.write("copy", dst, func() error { return k.Store.Copy(ctx, src, dst) })
}

// workerChild runs one worker action (stdin) on a folder lake, as
// `lakeops worker` does, on a store that may kill it.
func workerChild(dir string) int {
	st, err := folder.New(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	ks := &killStore{Store: st, key: os.Getenv(envKillKey), op: os.Getenv(envKillOp), after: os.Getenv(envKillAfter) == "1"}
	payload, _ := io.ReadAll(os.Stdin)
	out, err := InProcessWorker(lake.New(ks), asl.RealClock{})(context.Background(), payload)
	if err != nil {
		b, _ := json.Marshal(err)
		fmt.Fprintln(os.Stderr, string(b))
		return 1
	}
	os.Stdout.Write(out)
	return 0
}

// kill is a planned death: invocation number n of an action on a
// dataset ("" for any) dies at a write.
type kill struct {
	action, dataset string
	n               int // 1 for the first such invocation
	key, op         string
	after           bool
}

// childWorkers runs the worker's actions in child processes.
type childWorkers struct {
	dir   string
	kills []kill
	mu    sync.Mutex
	seen  map[string]int
	died  []string
}

func (c *childWorkers) run(ctx context.Context, payload []byte) ([]byte, error) {
	var req worker.Request
	_ = json.Unmarshal(payload, &req)
	c.mu.Lock()
	c.seen[req.Action+"/"+req.Dataset]++
	n := c.seen[req.Action+"/"+req.Dataset]
	env := append(os.Environ(), envWorkerLake+"="+c.dir)
	what := ""
	for _, k := range c.kills {
		if k.action == req.Action && (k.dataset == "" || k.dataset == req.Dataset) && k.n == n {
			env = append(env, envKillKey+"="+k.key, envKillOp+"="+k.op, envKillAfter+"="+map[bool]string{false: "0", true: "1"}[k.after])
			what = fmt.Sprintf("%s %s #%d at %s %q (after: %v)", k.action, k.dataset, n, k.op, k.key, k.after)
		}
	}
	c.mu.Unlock()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(payload)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			c.mu.Lock()
			c.died = append(c.died, what)
			c.mu.Unlock()
			// What Lambda reports for a function whose process died.
			return nil, asl.NewTaskError("Runtime.ExitError", "Runtime exited with error: "+ws.Signal().String())
		}
		var we worker.Error
		if json.Unmarshal(errb.Bytes(), &we) == nil && we.Name != "" {
			return nil, &we
		}
		return nil, fmt.Errorf("worker child: %v: %s", err, errb.String())
	}
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// killedFlow runs the project's flow with child workers that die as
// planned and checks that every planned death happened and that the
// tables are those of one run.
func killedFlow(t *testing.T, want string, kills []kill) {
	t.Helper()
	lk := newLake(t)
	z := rawZone(t, lk.Store)
	s, res := newService(t, lk)
	cw := &childWorkers{dir: lk.Store.(*folder.Store).Dir(), kills: kills, seen: map[string]int{}}
	res.Worker = cw.run
	e := runFlow(t, s, fanOutInput)
	if len(cw.died) != len(kills) {
		t.Fatalf("%d workers died, want %d: %q", len(cw.died), len(kills), cw.died)
	}
	checkFanOut(t, lk, e, z.Files)
	checkEqual(t, dump(t, lk), want)
}

// Workers killed mid-batch (before the manifest, after a staged file,
// after the manifest but before answering) and inside the commit step
// (before and after the MERGE's commit) are retried by the processor's
// and the commit's Retry and end in the tables of one run.
func TestFlowSurvivesKilledWorkers(t *testing.T) {
	want := oneRun(t, newLake(t).Store)
	killedFlow(t, want, []kill{
		{action: "process", dataset: "order_items", n: 2, key: "batch.json", op: "put"},
		{action: "process", dataset: "orders", n: 3, key: ".parquet", op: "put", after: true},
		{action: "process", dataset: "order_items", n: 5, key: "batch.json", op: "put", after: true},
		{action: "commit", dataset: "orders", n: 1, key: "silver_layer/orders/_delta_log/", op: "put"},
		{action: "commit", dataset: "order_items", n: 1, key: "silver_layer/order_items/_delta_log/", op: "put", after: true},
	})
}

// More deaths inside the commit: after the rejects' commit, after the
// ingest log's, in the middle of the staging's cleanup; and in the plan
// (after it is kept) and the archive (after the first copy).
func TestFlowSurvivesWorkersKilledLateInTheCommit(t *testing.T) {
	want := oneRun(t, newLake(t).Store)
	killedFlow(t, want, []kill{
		{action: "plan", n: 1, key: "plan.json", op: "put", after: true},
		{action: "commit", dataset: "products", n: 1, key: "rejected/products/_delta_log/", op: "put", after: true},
		{action: "commit", dataset: "orders", n: 1, key: "/orders/batches/", op: "delete", after: true},
		{action: "commit", dataset: "order_items", n: 1, key: "_lakeops/ingest_log/_delta_log/", op: "put", after: true},
		{action: "archive", n: 1, key: "archive/", op: "copy", after: true},
	})
}

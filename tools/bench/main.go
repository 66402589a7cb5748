// Command bench times one synthesis evaluation (the network's forward pass, the loss and its
// gradient, the backward pass to the pixels) for each image size and engine, and optionally a
// whole default texture. It runs natively and, built with GOOS=js GOARCH=wasm, under Node;
// `make bench` runs both. One line per case:
//
//	BENCH <native|wasm> <size>px <conv> <ms> ms/eval <GFLOP/s> GFLOP/s loss <loss>
//
// The time is the best of the timed evaluations (the machine may be shared); GFLOP/s counts the
// convolutions' multiply-adds of one forward and one input-gradient pass (2 FLOPs each), the
// work any implementation must do, whatever it actually executes. The loss, in full precision,
// is the same from one build to the next unless the numbers changed: a refactoring that keeps
// it keeps the arithmetic.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/core/vgg"
	_ "github.com/texsynth/texsynth/core/vgg/reference" // the stock engine (-reference)
	"github.com/texsynth/texsynth/weights"
)

func main() {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	sizes := fs.String("size", "64,128,256", "comma list of image sides in pixels")
	convs := fs.String("conv", "fast", "comma list of engines: fast (hand-written kernels, Winograd F(4×4,3×3): what synthesis runs), stock (the GoMLX reference: minutes per evaluation)")
	withReference := fs.Bool("reference", false, "also time the GoMLX reference (adds stock to -conv)")
	lossKind := fs.String("loss", "sw", "loss: sw, gram, emd, emd-seed")
	layers := fs.String("layers", "", "comma list of taps as in the command (default relu1_1 … relu4_3)")
	evals := fs.Int("evals", 3, "timed evaluations per case (the best is reported); a case stops early after -budget")
	budget := fs.Duration("budget", 20*time.Second, "stop timing a case after this much time (at least one evaluation always runs)")
	texture := fs.Int("texture", 0, "if > 0, also synthesise a whole texture of this side with the default settings (fast path) and report its wall time")
	iters := fs.Int("iters", 0, "iterations of the -texture run (0: the default)")
	fs.IntVar(&levels, "levels", 0, "pyramid levels of the -texture run (0: the default)")
	fs.StringVar(&threadList, "threads", "", "comma list of thread counts (GOMAXPROCS) to time each case at, e.g. 1,2: a THREADS line per count (network only: forward + backward; whole: with the loss; busy: the share of the threads' time that had work, from the Go scheduler) and a SCALING line against the first count; the BENCH line is the last count's (native only: wasm runs one thread)")
	fs.IntVar(&tileSide, "tile", 0, "fast engine: evaluate in tiles of about this many px (0: the default, tiles only above a workspace budget; -1: never)")
	fs.BoolVar(&showParts, "parts", false, "also print the best time of each part of an evaluation: the forward pass, the loss on the host, the backward pass (a PARTS line after each BENCH line)")
	showCPU := fs.Bool("cpu", false, "also print the best user CPU time per evaluation (a CPU line after each BENCH line; less disturbed by other processes on a shared machine than wall time) and, at the end (after -texture), the memory obtained from the system (a MEM line)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file (native only)")
	fs.StringVar(&memprofile, "memprofile", "", "write a heap profile to this file after the cases (native only)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: bench [flags]\n\nTimes one synthesis evaluation (forward, loss, gradient w.r.t. the image) of VGG-16 with\nthe built-in random weights on a procedural exemplar, per size and engine, and prints\n  BENCH <native|wasm> <size>px <conv> <ms> ms/eval <GFLOP/s> GFLOP/s loss <loss>\nafter a KERNEL line naming the vector kernels in use (AVX2+FMA natively on amd64, SIMD128\nin wasm when run through wasm/memory.cjs; TEXSYNTH_SIMD=off in the environment keeps the\nportable Go kernels, to compare).\n\nflags:\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if *withReference && !strings.Contains(*convs, string(vgg.ConvStock)) {
		*convs += "," + string(vgg.ConvStock)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*sizes, *convs, *lossKind, *layers, *evals, *budget, *texture, *iters, *showCPU); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var (
	memprofile string
	threadList string
	tileSide   int
	levels     int
	showParts  bool
)

// poolThreads says how many threads share the products: GOMAXPROCS natively, the worker pool's in
// wasm (gemm.Pooled: TEXSYNTH_POOL=N through wasm/memory.cjs).
func poolThreads() string {
	n := gemm.Workers()
	if runtime.GOOS == "js" {
		n = gemm.Pooled()
	}
	if n == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", n)
}

func platform() string {
	if runtime.GOOS == "js" {
		return "wasm"
	}
	return "native"
}

func run(sizeList, convList, lossKind, layers string, evals int, budget time.Duration, texture, iters int, showCPU bool) error {
	taps, err := vgg.VGG16.ParseTaps(layers)
	if err != nil {
		return err
	}
	w, err := weights.Random(0, vgg.VGG16.Deepest(taps))
	if err != nil {
		return err
	}
	// The page's worker pool takes calls only once its threads have the kernels (wasm).
	if !gemm.AwaitPool(10 * time.Second) {
		return fmt.Errorf("the worker pool did not start in 10 s")
	}
	fmt.Printf("KERNEL %s %s, %s\n", platform(), gemm.Kernel(), poolThreads())
	threads, err := parseThreads(threadList)
	if err != nil {
		return err
	}
	for _, s := range strings.Split(sizeList, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || size < 16 {
			return fmt.Errorf("bad size %q", s)
		}
		for _, c := range strings.Split(convList, ",") {
			conv, err := vgg.ParseConv(strings.TrimSpace(c))
			if err != nil {
				return err
			}
			var best, cpu, network time.Duration
			var parts [3]time.Duration
			var value, busy float64
			var first [2]time.Duration // network, whole at the first thread count
			for i, n := range threads {
				if n > 0 {
					runtime.GOMAXPROCS(n)
				}
				best, cpu, network, parts, value, busy, err = bench(w, taps, conv, lossKind, size, evals, budget)
				if err != nil {
					return err
				}
				if n == 0 {
					continue
				}
				fmt.Printf("THREADS %s %dpx %s %d network %.0f ms whole %.0f ms cpu %.0f ms busy %.0f%%\n", platform(), size, conv, gemm.Workers(),
					network.Seconds()*1000, best.Seconds()*1000, cpu.Seconds()*1000, 100*busy)
				if i == 0 {
					first = [2]time.Duration{network, best}
				} else {
					fmt.Printf("SCALING %s %dpx %s %d→%d threads network %.2fx whole %.2fx\n", platform(), size, conv, threads[0], n,
						first[0].Seconds()/network.Seconds(), first[1].Seconds()/best.Seconds())
				}
			}
			flops := convFLOPs(w, taps, size)
			fmt.Printf("BENCH %s %dpx %s %.0f ms/eval %.2f GFLOP/s loss %.17g\n", platform(), size, conv, best.Seconds()*1000, flops/best.Seconds()/1e9, value)
			if showCPU {
				fmt.Printf("CPU %s %dpx %s %.0f ms/eval\n", platform(), size, conv, cpu.Seconds()*1000)
			}
			if p := bestPool; p.calls > 0 {
				fmt.Printf("POOL %s %dpx %s %s: %d products in %.0f ms, %d transform batches in %.0f ms, %d matchings in %.0f ms, %d shared, %d alone\n",
					platform(), size, conv, poolThreads(), p.calls, p.product, p.mixes, p.mix, p.matches, p.match, p.shared, p.alone)
			}
			if showParts {
				fmt.Printf("PARTS %s %dpx %s forward %.0f ms loss %.0f ms backward %.0f ms\n", platform(), size, conv,
					parts[0].Seconds()*1000, parts[1].Seconds()*1000, parts[2].Seconds()*1000)
			}
		}
	}
	if memprofile != "" {
		f, err := os.Create(memprofile)
		if err != nil {
			return err
		}
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if texture > 0 {
		if err := synthesise(w, texture, iters); err != nil {
			return err
		}
	}
	if showCPU {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("MEM %s %.0f MiB obtained from the system (in wasm: about the linear memory, which never shrinks), heap in use %.0f MiB now, %d collections\n",
			platform(), float64(ms.Sys)/(1<<20), float64(ms.HeapInuse)/(1<<20), ms.NumGC)
	}
	return nil
}

// sched is the Go scheduler's account of its threads' time (runtime/metrics), which the
// runtime updates at each collection: so schedStats collects first.
type sched struct{ user, total float64 }

var schedSamples = []metrics.Sample{{Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}

func schedStats() sched {
	runtime.GC()
	metrics.Read(schedSamples)
	return sched{user: schedSamples[0].Value.Float64(), total: schedSamples[1].Value.Float64()}
}

// busySince is the share of the GOMAXPROCS threads' time since b that ran the program's own code
// (not idle, not collecting): how much of the time the threads had work. Unlike wall time it is
// about the same on a busy machine as on an idle one (the scheduler counts a thread the kernel
// has set aside as still running), so it says what a second core can give where the wall time
// cannot: on idle cores, N threads run about N × busy times as fast as one.
func (a sched) busySince(b sched) float64 {
	if a.total <= b.total {
		return 0
	}
	return (a.user - b.user) / (a.total - b.total)
}

// parseThreads reads -threads: {0} (the environment's GOMAXPROCS) when empty.
func parseThreads(list string) ([]int, error) {
	if list == "" {
		return []int{0}, nil
	}
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad thread count %q in -threads", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// bench returns the best wall and user CPU time of one evaluation, the best wall time of its
// network passes (forward + backward), the best wall time of each of its parts (forward, loss,
// backward), its loss, and the share of the threads' time the timed evaluations kept busy
// (sched.busySince).
func bench(w *weights.File, taps []string, conv vgg.Conv, lossKind string, size, evals int, budget time.Duration) (best, bestCPU, bestNet time.Duration, parts [3]time.Duration, value, busy float64, err error) {
	net, err := vgg.Build(conv, w, taps, vgg.PadZero)
	if err != nil {
		return
	}
	if f, ok := net.(*vgg.Fast[float32]); ok {
		f.SetTiles(tileSide)
	}
	ex := exemplar(size)
	exFeats, err := net.Forward(ex.Pix, size, size)
	if err != nil {
		return
	}
	set, err := loss.New(loss.Options{Kind: loss.Kind(lossKind), Seed: 1}, exFeats, uniform(len(taps)))
	if err != nil {
		return
	}
	img := noise(size)
	grad := make([]float32, len(img))
	best, bestCPU, bestNet = time.Duration(math.MaxInt64), time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	parts = [3]time.Duration{best, best, best}
	start, before := time.Now(), schedStats()
	for i := 0; i < max(evals, 1); i++ {
		t0, c, p0 := time.Now(), cpuTime(), poolTimes()
		feats, err := net.Forward(img, size, size)
		if err != nil {
			return 0, 0, 0, parts, 0, 0, err
		}
		t1 := time.Now()
		v, up := 0.0, feats
		if f, ok := net.(vgg.FreeMaps); ok && f.MapsFree() { // as synth does
			v, err = set.EvalInPlace(feats)
		} else {
			v, up, err = set.Eval(feats)
		}
		if err != nil {
			return 0, 0, 0, parts, 0, 0, err
		}
		t2 := time.Now()
		if err := net.Backward(up, grad); err != nil {
			return 0, 0, 0, parts, 0, 0, err
		}
		t3 := time.Now()
		value = v
		if t3.Sub(t0) < best {
			bestPool = poolTimes().minus(p0)
		}
		best, bestCPU = min(best, t3.Sub(t0)), min(bestCPU, cpuTime()-c)
		bestNet = min(bestNet, t1.Sub(t0)+t3.Sub(t2))
		parts = [3]time.Duration{min(parts[0], t1.Sub(t0)), min(parts[1], t2.Sub(t1)), min(parts[2], t3.Sub(t2))}
		if time.Since(start) > budget {
			break
		}
	}
	return best, bestCPU, bestNet, parts, value, schedStats().busySince(before), nil
}

// poolStat counts the worker pool's calls (wasm): how many products, transform batches and
// matchings, and the milliseconds each took from the caller's start to the last piece's end; how
// many calls were split between threads, and how many the pool ran on one thread because that
// measured faster, or to measure it (wasm/pool.js, sharing).
type poolStat struct {
	calls, mixes, matches int
	product, mix, match   float64
	shared, alone         int
}

func (a poolStat) minus(b poolStat) poolStat {
	return poolStat{a.calls - b.calls, a.mixes - b.mixes, a.matches - b.matches, a.product - b.product, a.mix - b.mix,
		a.match - b.match, a.shared - b.shared, a.alone - b.alone}
}

// bestPool is the pool's share of the best evaluation of the last bench.
var bestPool poolStat

// convFLOPs is 2 × the multiply-adds of the convolutions up to the deepest tap, forward and
// input-gradient.
func convFLOPs(w *weights.File, taps []string, size int) float64 {
	deepest := vgg.VGG16.Deepest(taps)
	h, total := size, 0.0
	for _, name := range vgg.VGG16.Convs() {
		l, _ := w.Layer(name)
		if strings.HasSuffix(name, "_1") && name != "conv1_1" {
			h /= 2
		}
		total += 2 * 2 * float64(h*h) * 9 * float64(l.In*l.Out)
		if name == deepest {
			break
		}
	}
	return total
}

func uniform(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// exemplar is a procedural texture: soft diagonal stripes and blobs with a little noise.
func exemplar(size int) *picture.RGB {
	m := &picture.RGB{W: size, H: size, Pix: make([]float32, size*size*3)}
	img := noise(size)
	for y := range size {
		for x := range size {
			u, v := float64(x)/float64(size), float64(y)/float64(size)
			s := 0.5 + 0.4*math.Sin(2*math.Pi*6*(u+v))
			b := 0.5 + 0.4*math.Cos(2*math.Pi*4*u)*math.Sin(2*math.Pi*3*v)
			i := (y*size + x) * 3
			m.Pix[i] = float32(0.8*s + 0.2*float64(img[i]))
			m.Pix[i+1] = float32(0.6*b + 0.2*float64(img[i+1]))
			m.Pix[i+2] = float32(0.5*s*b + 0.2*float64(img[i+2]))
		}
	}
	return m
}

func noise(size int) []float32 {
	x := make([]float32, size*size*3)
	state := uint32(12345)
	for i := range x {
		state = state*1664525 + 1013904223
		x[i] = float32(state>>8) / (1 << 24)
	}
	return x
}

// synthesise runs a whole texture with the default settings and reports its wall time.
func synthesise(w *weights.File, size, iters int) error {
	s := synth.Defaults()
	s.Size = size
	if iters > 0 {
		s.Iters = iters
	}
	if levels > 0 {
		s.Levels = levels
	}
	start := time.Now()
	m, err := synth.New(w, exemplar(size), s)
	if err != nil {
		return err
	}
	var f synth.Frame
	for !m.Done() {
		if f, err = m.Step(); err != nil {
			return err
		}
	}
	lv := "auto"
	if s.Levels > 0 {
		lv = strconv.Itoa(s.Levels)
	}
	fmt.Printf("TEXTURE %s %dpx %s %d iters %d evals %.1f s loss %.7g levels %s\n", platform(), size, s.Conv, f.Iter, m.Evaluations(), time.Since(start).Seconds(), f.Loss, lv)
	return nil
}

/**
 * The lesson: an ordered list of scenes, each a preset (settings as a URL query, checked by the
 * same parser as any link), the views it shows large, a short text with its mathematics in TeX
 * ($…$ inline, $$…$$ on its own line) and what to look for in the live run. DOM-free, so the
 * tests of the scenes' claims run exactly these settings.
 *
 * Every "look for" line is a claim about what a run shows; each names the test that checks it
 * over several seeds (test/lesson/claims.test.ts), and its wording carries the frequency measured.
 */
/** The spectrum views of the page (ui/charts/series.ts SPECTRA_VIEWS). */
export type SpectraView = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

/** A chart of the training charts, by its id. */
export type TrainingChartId = 'loss-d' | 'loss-g' | 'd-outputs' | 'coverage' | 'quality' | 'fid' | 'grad-norm';

export type SceneView =
  /** Each variant's 2-D field (D's heatmap, points, arrows) or its digit grid. */
  | { kind: 'samples' }
  | { kind: 'chart'; chart: TrainingChartId }
  /** A spectrum view of one D layer ('richest': the layer with the most singular values). */
  | { kind: 'spectra'; view: SpectraView; layer: number | 'richest' };

/** A setting the scene lets the visitor flip without leaving it (e.g. the warm-up rounds). */
export interface SceneToggle {
  label: string;
  /** The query applied on top of the scene's own when the toggle is on. */
  on: string;
}

export interface Scene {
  /** Short stable name (for tests and file names). */
  slug: string;
  title: string;
  /** The scene's settings as a URL query (same keys as any link); a scene starts from defaults. */
  query: string;
  views: SceneView[];
  /** The explanation, with TeX between $ signs; paragraphs separated by blank lines. */
  text: string;
  /** The one line a projector shows instead of the text (presentation mode): the key idea. */
  slide: string;
  /** What the live run shows, worded with the frequency a test measured over several seeds. */
  lookFor: string[];
  toggle?: SceneToggle;
  /**
   * A run recorded with `npm run train` on a real adapter (path under public/), played instead of
   * training where the visitor has no GPU fast enough for the scene (CPU or a software adapter).
   */
  recording?: string;
  /** Whether the scene is the full page with every control (the last one). */
  sandbox?: boolean;
}

export const SCENES: readonly Scene[] = [
  {
    slug: 'gan-2d',
    title: 'A GAN in two dimensions',
    query: 'variants=sn,none&data=ring8&set=C&heatmap=1&arrows=1',
    views: [{ kind: 'samples' }, { kind: 'chart', chart: 'coverage' }],
    text: String.raw`A generator $G$ turns noise $z$ into points; a discriminator $D$ scores points, high for real data and low for generated ones. They play
$$\min_G \max_D\; \mathbb{E}_{x\sim q_{\text{data}}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
(paper eq. 1). The real data is a ring of eight Gaussians (black). Each panel is one discriminator's output over the plane, green where it says "real", purple where it says "fake", with that run's generated points on top. $G$ moves its points along $\nabla_x D$ (the arrows): it climbs the slopes that $D$ draws.

The two runs share everything (seed, data, $G$, Adam setting C of Table 1) except one: in the run labelled "Spectral norm", every weight matrix of $D$ is divided by its largest singular value. The next scenes explain why that helps.`,
    slide: String.raw`$G$ moves its points up the slopes of $D$ (arrows: $\nabla_x D$). Spectral norm: every weight of $D$ divided by its largest singular value.`,
    lookFor: [
      String.raw`At step 1,500 SN covered 7 or 8 of the 8 modes, never fewer than no normalization (5 of 5 seeds). No normalization covered fewer than SN in 3 of 5 seeds, all 8 in the other 2: try another seed.`,
    ],
  },
  {
    slug: 'lipschitz',
    title: 'Lipschitz constant and spectral norm',
    query: 'variants=sn,none&data=ring8&set=C',
    views: [
      { kind: 'spectra', view: 'd', layer: 'richest' },
      { kind: 'chart', chart: 'grad-norm' },
    ],
    text: String.raw`How steep can $D$ be? The steepest slope of a linear layer $h \mapsto Wh$ is its spectral norm, the largest singular value
$$\sigma(W) = \max_{h \neq 0} \frac{\|Wh\|_2}{\|h\|_2}$$
(paper eq. 6). Leaky ReLU has slope at most 1, so for a discriminator made of layers
$$\|D\|_{\text{Lip}} \le \prod_l \sigma(W^l)$$
(eq. 7). Spectral normalization trains $W$ but uses $\bar W_{\text{SN}}(W) = W / \sigma(W)$ (eq. 8): every layer has $\sigma(\bar W) = 1$, so $D$ is at most 1-Lipschitz and its slopes cannot grow without bound. Without normalization nothing holds $\sigma(W)$ back.

Left: $\sigma_1$ of the weight each $D$ uses, per step. Right: the mean $\|\nabla_x D(x)\|$ on real data, the slope $G$ follows.`,
    slide: String.raw`$\|D\|_{\text{Lip}} \le \prod_l \sigma(W^l)$ (eq. 7), and SN uses $\bar W = W/\sigma(W)$ (eq. 8), so $\sigma(\bar W) = 1$.`,
    lookFor: [
      String.raw`Without normalization the product of $\sigma_1(W)$ over $D$'s layers at least doubled by step 2,000, and $\|\nabla_x D\|$ on real data was at least twice SN's at steps 1,000 and 2,000 (5 of 5 seeds).`,
      String.raw`With SN, $\sigma_1(\bar W)$ stayed between 1 and 1.2 in every layer, checked every 100 steps (5 of 5 seeds): above 1 where the power iteration lags (scene 3).`,
    ],
  },
  {
    slug: 'power-iteration',
    title: 'Estimating σ(W): one power-iteration round per step',
    query: 'variants=sn&data=ring8&set=C&ip=1&warmup=0&stats=2&spectra=2',
    views: [
      { kind: 'spectra', view: 'c', layer: 'richest' },
      { kind: 'spectra', view: 'b', layer: 'richest' },
    ],
    toggle: { label: '15 warm-up rounds at the start', on: 'warmup=15' },
    text: String.raw`An exact $\sigma(W)$ (an SVD) at every step would be slow. Algorithm 1 keeps a vector $\tilde u$ from step to step and runs one round of the power iteration per update of $D$, on the raw $W$:
$$\tilde v \leftarrow \frac{W^\top \tilde u}{\|W^\top \tilde u\|_2},\quad \tilde u \leftarrow \frac{W \tilde v}{\|W \tilde v\|_2},\quad \tilde\sigma = \tilde u^\top W \tilde v,\quad \bar W = W/\tilde\sigma .$$
$W$ moves little per step, so the kept $\tilde u$ stays near the top singular vector and one round is enough. A random first $\tilde u$ gives a low first estimate that then climbs to $\sigma_1(W)$; warm-up rounds start it converged.

With unit vectors $\tilde u, \tilde v$, $\tilde\sigma \le \sigma_1(W)$ always. When the top singular values crowd together — and SN pushes them there — one round per step converges slowly: $\tilde\sigma$ can lag well below $\sigma_1$, and $\sigma_1(\bar W) = \sigma_1(W)/\tilde\sigma$ then sits above 1.`,
    slide: String.raw`One round per $D$ update: $\tilde v \propto W^\top \tilde u$, $\tilde u \propto W \tilde v$, $\tilde\sigma = \tilde u^\top W \tilde v \le \sigma_1(W)$ (Algorithm 1).`,
    lookFor: [
      String.raw`From a random $\tilde u$ the first $\tilde\sigma$ is 20% or more low (64 × 64 layer); within 5% in every layer by step 10 (5 of 5 seeds).`,
      String.raw`$\tilde\sigma \le \sigma_1(W)$ at every step; with warm-up, within 1% at once (5 of 5).`,
      String.raw`Steps 50–200: the 64 × 64 layer's $\tilde\sigma$ lags $\sigma_1(W)$ by 10% or more (5 of 5).`,
    ],
  },
  {
    slug: 'spectra',
    title: 'What each normalization does to the spectrum',
    query: 'variants=sn,wn,clip&data=ring8&set=C',
    views: [
      { kind: 'spectra', view: 'a', layer: 'richest' },
      { kind: 'spectra', view: 'f', layer: 'richest' },
    ],
    text: String.raw`Normalizations differ in what they hold fixed. Weight normalization (gain 1, footnote 8) divides each row of $W$ by its length, so
$$\textstyle\sum_i \sigma_i(\bar W)^2 = \|\bar W\|_F^2 = d_o ,$$
a fixed budget. A sensitive $D$ needs a large $\sigma_1$, and every bit of $\sigma_1^2$ is taken from the other directions: the spectrum concentrates on a few components and $D$ looks at few features of its input (§3). Clipping each weight to $[-c, c]$ also bounds $\|W\|_F$, with the same effect. SN fixes only $\sigma_1 = 1$ and leaves the rest free.

Left: $\sigma_i^2/\sigma_1^2$ of $\bar W$, largest first (the paper's Fig. 3). Right: the stable rank $\sum_i \sigma_i^2 / \sigma_1^2$, how many directions carry weight.`,
    slide: String.raw`Weight norm: $\sum_i \sigma_i(\bar W)^2 = d_o$, a fixed budget. SN: only $\sigma_1(\bar W) = 1$ (Fig. 3).`,
    lookFor: [
      String.raw`After 1,000 steps SN's 64 × 64 layer had a higher stable rank — a broader spectrum — than weight norm's and clipping's (5 of 5 seeds).`,
      String.raw`Weight norm's $\sum_i \sigma_i(\bar W)^2$ is exactly $d_o = 64$ in that layer, whatever training does (5 of 5 seeds).`,
    ],
  },
  {
    slug: 'aggressive',
    title: 'Aggressive learning rates',
    query: 'variants=sn,wn,none&data=mnist&cnn=1/8&set=E&batch=64',
    recording: 'recordings/digits-E.json',
    views: [{ kind: 'samples' }, { kind: 'chart', chart: 'coverage' }],
    text: String.raw`Adam with a large step ($\alpha = 10^{-3}$) and five $D$ updates per $G$ update (setting E, Table 1) trains fast when it works. The paper's Fig. 1–2: SN keeps its quality across settings A–F, while weight normalization and the unnormalized $D$ lose theirs under the aggressive ones.

Here the paper's standard CNN (Table 3, at ⅛ of its width) learns MNIST digits from a fixed $z$, so a grid changes only as $G$ does. The digit score (Inception-style, from a small classifier) is 10 for confident, varied digits, 1 for noise. Measured with this engine on an NVIDIA H200 (width ¼, 2,000 steps, setting E): SN scored 6.78, weight normalization 1.66, no normalization 1.72; real digits score 9.55.

Without a GPU this scene plays a recorded run, labelled with where it was made. This one is from the engine's CPU backend (no GPU was at hand): seed 1, the first 100 steps only. It shows how the runs begin, not how they end.`,
    slide: String.raw`Setting E: $\alpha = 10^{-3}$, $\beta_1 = 0.5$, $\beta_2 = 0.999$, $n_{dis} = 5$ (Table 1, Fig. 1–2).`,
    // Checked on the recording this scene plays (test/lesson/claims-recording.test.ts): one seed.
    lookFor: [
      String.raw`In the recorded run, weight norm's and the unnormalized $D$ overpower $G$ within 15 steps: $D(G(z))$ below 0.01, while SN's stays above 0.2.`,
      String.raw`At step 100 SN has the best digit score and FID of the three; over steps 80–100 its score averages 1.95, against 1.37 (WN) and 1.14 (none). Real digits: 9.57.`,
    ],
  },
  {
    slug: 'others',
    title: 'Other ways to tame D',
    query: 'variants=sn,wn,none,clip,orthonormal,wgan-gp&data=grid25&set=C',
    views: [{ kind: 'samples' }, { kind: 'spectra', view: 'a', layer: 'richest' }],
    text: String.raw`Spectral normalization is one of several ways to keep $D$ smooth. The gradient penalty (WGAN-GP) adds $\lambda\,\mathbb{E}_{\hat x}[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2]$ at points between real and generated data: it controls the slope only where it samples it, and costs a second backward pass. Orthonormal regularization adds $\beta\|W^\top W - I\|_F^2$: it pulls every singular value towards 1, a flat spectrum, where SN fixes only the largest and lets the others be as small as training wants (§3). Weight clipping bounds every entry of $W$.

All six train side by side on a grid of 25 Gaussians.`,
    slide: String.raw`Gradient penalty $\lambda(\|\nabla_{\hat x} D\| - 1)^2$; orthonormal $\beta\|W^\top W - I\|_F^2$; SN $\sigma_1(\bar W) = 1$.`,
    lookFor: [
      String.raw`After 1,000 steps weight clipping's 64 × 64 layer had the lowest stable rank of SN, orthonormal and clipping — the most concentrated spectrum (5 of 5 seeds).`,
      String.raw`With $\beta = 10^{-4}$ the orthonormal penalty is weak here: its stable rank beat SN's in only 3 of 5 seeds.`,
    ],
  },
  {
    slug: 'your-turn',
    title: 'Your turn',
    query: 'variants=sn,wn,none,clip,orthonormal,wgan-gp&data=grid25&set=C',
    // Shown in presentation mode; otherwise the scene is the whole page.
    views: [
      { kind: 'samples' },
      { kind: 'chart', chart: 'coverage' },
      { kind: 'spectra', view: 'a', layer: 'richest' },
    ],
    sandbox: true,
    text: String.raw`Every control of the page, starting from the last scene's settings. Try the aggressive settings D–F, more $D$ updates per step ($n_{dis}$), the hinge loss, or a fresh random $\tilde u$ against warm-up rounds. Each control's ⓘ explains it.`,
    slide: String.raw`Every control, from the last scene's settings.`,
    lookFor: [],
  },
];

/** Scene n (1-based), or undefined outside 1…SCENES.length. */
export function sceneAt(n: number): Scene | undefined {
  return Number.isInteger(n) && n >= 1 && n <= SCENES.length ? SCENES[n - 1] : undefined;
}

/**
 * What every chart, view and control group of the page shows and how it is computed, with the
 * paper's equation or figure it corresponds to. Shown behind the ⓘ next to each title; TeX between
 * $ signs. Keys are the ids the components pass to <sngan-info>.
 */
export interface Explanation {
  title: string;
  text: string;
}

export const EXPLANATIONS = {
  'chart-loss-d': {
    title: 'Discriminator loss',
    text: String.raw`The loss $D$ minimizes on one batch, averaged over the batch. Standard loss: $-\mathbb{E}[\log D(x)] - \mathbb{E}[\log(1 - D(G(z)))]$ (eq. 1 with $D$ a probability); hinge loss: $\mathbb{E}[\max(0, 1 - D(x))] + \mathbb{E}[\max(0, 1 + D(G(z)))]$ (the hinge loss of the paper's §4). Low means $D$ tells real from generated easily. A loss near 0 while $G$'s loss climbs is a $D$ that has won, and $G$ gets little useful gradient.`,
  },
  'chart-loss-g': {
    title: 'Generator loss',
    text: String.raw`The loss $G$ minimizes: the non-saturating $-\mathbb{E}[\log D(G(z))]$ for the standard loss, $-\mathbb{E}[D(G(z))]$ for hinge and WGAN. It measures how well $G$ fools the current $D$, not sample quality: both players move, so the curves of a healthy GAN oscillate rather than fall.`,
  },
  'chart-d-outputs': {
    title: 'D on real and generated data',
    text: String.raw`The mean of $D$'s output on a real batch (thick line) and on a generated batch (thin dotted), per variant. With the standard loss $D(x) = \text{sigmoid}(f(x))$ is a probability; $D$ at equilibrium cannot tell the two apart and both approach $\tfrac12$. A gap that opens and stays open is a $D$ that wins.`,
  },
  'chart-coverage': {
    title: 'Modes covered (2-D) or digit score (images)',
    text: String.raw`2-D data: of 2,500 generated points, one is high quality if it lies within 3 standard deviations of its nearest mixture centre, and a mode is covered if it is the nearest centre of at least one high-quality point (the VEEGAN protocol). A GAN that collapses covers few modes.

Images: an Inception-style score $\exp(\mathbb{E}_x\, \mathrm{KL}(p(y|x)\,\|\,p(y)))$ computed with a small digit classifier (98.1% on held-out digits) on 256 generated digits: 10 for confident, varied digits, 1 for a single class or noise. Real digits score about 9.4.`,
  },
  'chart-quality': {
    title: 'High-quality samples',
    text: String.raw`The share of 2,500 generated points within 3 standard deviations of the nearest centre of the real mixture (VEEGAN protocol). Coverage counts which modes are hit; this counts how many points are on any mode at all.`,
  },
  'chart-fid': {
    title: 'FID',
    text: String.raw`Fréchet distance between Gaussians fitted to the classifier's 64 penultimate features of generated and of real held-out digits: $\|\mu_g - \mu_r\|^2 + \mathrm{tr}(\Sigma_g + \Sigma_r - 2(\Sigma_g\Sigma_r)^{1/2})$. Lower is better; it grows as the sample shrinks, so compare runs at equal counts. The paper reports FID on CIFAR-10 and STL-10 with Inception features.`,
  },
  'chart-grad-norm': {
    title: 'Gradient norm on real data',
    text: String.raw`The mean over a real batch of $\|\nabla_x f(x)\|_2$, the slope of $D$'s logit at the data, computed by a backward pass through $D$ to its input. It is bounded by $D$'s Lipschitz constant, $\prod_l \sigma(\bar W^l)$ for 1-Lipschitz activations (eq. 7). $G$ follows this gradient: when it explodes, $G$'s updates become erratic.`,
  },
  'chart-rate': {
    title: 'Training speed',
    text: String.raw`Training steps per second of the whole run (all variants; one step is $n_{dis}$ updates of every $D$ and one of every $G$), and frames per second of the page, over the last three seconds. A frame submits steps only after the GPU finished the previous frame's work.`,
  },
  'spectra-a': {
    title: 'Spectrum of the normalized weight (Fig. 3)',
    text: String.raw`For one layer of $D$, the singular values of the weight it uses, $\bar W$, squared and divided by the largest: $\sigma_i^2/\sigma_1^2$, sorted. Convolution kernels count as the $d_{out} \times (d_{in} k_h k_w)$ matrix. Computed exactly (an SVD, in a Web Worker) every few hundred steps. The paper's Fig. 3: with weight normalization and clipping a few components carry almost everything; with SN the spectrum stays broad.`,
  },
  'spectra-b': {
    title: 'All singular values (log)',
    text: String.raw`Every singular value $\sigma_i(\bar W)$ of the chosen layer, largest first, on a log scale, from an exact SVD. The head of this curve is where the power iteration works: when $\sigma_1$ and $\sigma_2$ are close it converges slowly.`,
  },
  'spectra-c': {
    title: 'The estimate σ̃ against the exact σ₁(W)',
    text: String.raw`For SN, the power-iteration estimate $\tilde\sigma = \tilde u^\top W \tilde v$ that divides $W$ (Algorithm 1), against the exact largest singular value $\sigma_1(W)$ of the raw weight (thin dotted), from an SVD. For the other variants, $\sigma_1(W)$ of their raw weight. With unit vectors $\tilde u, \tilde v$, $\tilde\sigma \le \sigma_1(W)$.`,
  },
  'spectra-d': {
    title: 'σ₁ of the weight D uses (Fig. 9)',
    text: String.raw`The largest singular value of $\bar W$, the matrix each $D$ actually multiplies by ($\bar W = W$ without normalization). SN holds it at $\sigma_1(W)/\tilde\sigma \approx 1$; the paper's Fig. 9 shows it between 1.00 and 1.05 over training. Without normalization it is free to grow, and with it the Lipschitz bound $\prod_l \sigma_1(\bar W^l)$ (eq. 7).`,
  },
  'spectra-e': {
    title: 'Squared singular values summed',
    text: String.raw`$\sum_i \sigma_i(\bar W)^2 = \|\bar W\|_F^2$. Weight normalization with gain 1 makes every row of $\bar W$ a unit vector, so this is exactly $d_{out}$ (black dashed): a fixed budget shared among all directions (§3).`,
  },
  'spectra-f': {
    title: 'Stable rank',
    text: String.raw`$\sum_i \sigma_i^2 / \sigma_1^2$ of $\bar W$: about how many directions carry weight, between 1 (rank one) and the layer's rank. A low stable rank means $D$ uses few features of its input, which the paper (§3) argues makes it an easy target for $G$ to fool.`,
  },
  'samples-2d': {
    title: 'What each discriminator sees',
    text: String.raw`For one variant: $D$'s output on a 48 × 48 grid over the plane (green: "real", purple: "fake"; the probability $D(x)$ for the standard loss, the raw score otherwise), the real data (black), 2,500 points generated from a fixed $z$ (so they move only as $G$ learns) and, if shown, arrows of $\nabla_x D$ at some generated points: the direction in which $G$'s update pushes them. Refreshed at every statistics step.`,
  },
  'samples-images': {
    title: 'Samples from a fixed z',
    text: String.raw`64 digits generated by one variant's $G$ from the same 64 noise vectors $z$ at every statistics step, so a grid changes only when $G$ does. A collapsed $G$ shows the same blob in every cell.`,
  },
  'group-variants': {
    title: 'Discriminator variants',
    text: String.raw`Copies of the same GAN (same seed, data and $G$) that differ only in how $D$'s weights are treated: spectral normalization $\bar W = W/\tilde\sigma$ (eq. 8, Algorithm 1); weight normalization with gain 1, each row divided by its norm (footnote 8); none; weight clipping to $[-c, c]$ (WGAN); orthonormal regularization, loss $+\beta\|W^\top W - I\|_F^2$; gradient penalty, loss $+\lambda(\|\nabla_{\hat x} D\| - 1)^2$ (WGAN-GP). Switching one off stops it and keeps the others running.`,
  },
  'group-data': {
    title: 'Data and model',
    text: String.raw`2-D mixtures (a ring of 8 Gaussians, a grid of 25, a spiral, two moons, or your own drawing) trained with small fully connected networks (hidden width and depth, noise dimension $z$), or MNIST digits (32 × 32) with the paper's standard CNN (Table 3) at a fraction of its width: ⅛ of the width is about $\tfrac{1}{50}$ of the arithmetic.`,
  },
  draw: {
    title: 'Your drawing',
    text: String.raw`Drag on the pad to draw the real data (mouse, pen or finger): the brush lays a point every 0.1 along the stroke, the eraser removes points within 0.25. Each point is the centre of a small Gaussian (standard deviation 0.05, as the grid of 25's), and a real sample is a point picked uniformly plus that noise, on the GPU and the CPU backend alike. Every point counts as a mode for the coverage chart (a few dots read as a mixture; for a stroke it says how much of it $G$ reaches). At most 500 points, which the link carries compressed (pts=…). Each finished stroke starts a new run; keyboard users can add a ready shape or clear.`,
  },
  'group-presets': {
    title: 'The paper’s settings',
    text: String.raw`The six Adam settings of Table 1: learning rate $\alpha$, $\beta_1$, $\beta_2$ and $n_{dis}$, the number of $D$ updates per $G$ update. A–C are conservative; D–F aggressive (large $\alpha$, or $\beta_1 = 0.9$), where the paper finds SN robust and the others not (Fig. 1–2).`,
  },
  'group-hyper': {
    title: 'Hyperparameters',
    text: String.raw`Adam's $\alpha, \beta_1, \beta_2$; $n_{dis}$; the batch size; the loss; $I_p$, power-iteration rounds per $D$ update (the paper uses 1), and warm-up rounds for a fresh $\tilde u$; the clipping bound $c$; the orthonormal weight $\beta$; the gradient-penalty weight $\lambda$; how often statistics and exact spectra are taken. A change starts a new run from step 0.`,
  },
  'group-seed': {
    title: 'Seed',
    text: String.raw`One seed fixes every random draw of a run: initial weights, the first $\tilde u$, noise and data batches. The same settings and seed repeat the same run; another seed shows how much of what you see is luck.`,
  },
  'group-display': {
    title: 'Display',
    text: String.raw`Whether the 2-D views draw $D$'s heatmap and the $\nabla_x D$ arrows. Display changes never restart a run.`,
  },
  'group-share': {
    title: 'Share this run',
    text: String.raw`The address bar always holds every setting, so the link reproduces this run (same seed, same curves). A link can also start training at once (play) or hide control groups for a class.`,
  },
  'group-run': {
    title: 'Training controls',
    text: String.raw`Train or pause (Space); while paused, one step (S: $n_{dis}$ updates of $D$, then one of $G$), or only a $D$ update or a $G$ update; reset (R) goes back to step 0 with the same seed, so a reset run repeats itself. The speed sets how many steps one frame submits.`,
  },
  selftest: {
    title: 'Kernel self-test',
    text: String.raw`Runs every WGSL kernel family of the engine (matrix products, convolution gathers, reductions, batch norm, losses, Adam, spectral and weight normalization, random numbers) on your GPU on small awkward shapes and compares each result with its float64 TypeScript twin within a stated tolerance. A failure here means this GPU or browser computes something differently, and the runs above cannot be trusted.`,
  },
  'status-line': {
    title: 'Status',
    text: String.raw`Which backend trains (WebGPU on your GPU, or the CPU fallback and why), the adapter, the step, steps and frames per second, and each variant's state: a variant whose numbers become infinite or NaN is marked "diverged at step N" and stops; the others go on.`,
  },
} satisfies Record<string, Explanation>;

export type ExplanationId = keyof typeof EXPLANATIONS;

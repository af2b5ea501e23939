// KaTeX's fonts are declared here, at the document level: a browser ignores @font-face rules
// inside a component's shadow root (src/ui/lesson/rich-text.ts has the rest of its styles).
import 'katex/dist/katex.min.css';
import './ui/app';

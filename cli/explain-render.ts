/**
 * Renders an explainStep result in the textbooks' notation: aligned text for a terminal, or
 * Markdown with LaTeX. Rows of every matrix but W are the samples of the batch.
 */
import type { ExplainedLayer, Explanation } from './engine.js';

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', L: 'ᴸ', '+': '⁺', '-': '⁻' };
const sup = (text: string | number) => [...String(text)].map((c) => SUPERSCRIPT[c] ?? c).join('');

function number(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = Number(value.toPrecision(digits)).toString();
  return text === '-0' ? '0' : text;
}

/** A matrix as aligned text lines, with `prefix` before the first and padding before the others. */
function block(prefix: string, rows: readonly (readonly number[])[], digits: number, indent: string): string {
  const cells = rows.map((row) => row.map((v) => number(v, digits)));
  const width = Math.max(1, ...cells.flat().map((c) => c.length));
  const lines = cells.map((row) => `[ ${row.map((c) => c.padStart(width)).join('  ')} ]`);
  const pad = ' '.repeat([...prefix].length);
  return lines.map((line, i) => indent + (i === 0 ? prefix : pad) + line).join('\n');
}

export function renderText(explanation: Explanation, digits = 6): string {
  const out: string[] = [];
  const L = explanation.layers.length;
  const name = (l: number) => (l === L ? 'L' : String(l));
  out.push(`One training step, ${explanation.input.length === 1 ? 'one sample' : `a batch of ${explanation.input.length} samples (rows)`}; W is [out][in].`);
  out.push('\nForward pass');
  out.push(block('a⁰ = x = ', explanation.input, digits, '  '));
  for (const layer of explanation.layers) {
    const l = layer.index;
    out.push(`\n  layer ${l}: ${layer.description}`);
    out.push(block(`W${sup(l)} = `, layer.weights, digits, '    '));
    if (layer.biases) out.push(block(`b${sup(l)} = `, [layer.biases], digits, '    '));
    out.push(block(`z${sup(l)} = W${sup(l)}a${sup(l - 1)} + b${sup(l)} = `, layer.z, digits, '    '));
    out.push(block(`a${sup(l)} = ${layer.activation}(z${sup(l)}) = `, layer.a, digits, '    '));
  }
  out.push(`\nLoss: ${explanation.lossDescription}`);
  out.push(block('  t = ', Array.isArray(explanation.target[0]) ? (explanation.target as number[][]) : [explanation.target as number[]], digits, ''));
  out.push(`  C = ${number(explanation.loss, digits)}`);
  out.push('\nBackward pass');
  for (let i = L - 1; i >= 0; i--) {
    const layer = explanation.layers[i];
    const l = layer.index;
    const n = name(l);
    out.push(`\n  layer ${l}${l === L ? ' (output)' : ''}`);
    if (l === L) out.push(block(`∂C/∂a${sup(n)} = `, layer.gradA, digits, '    '));
    else out.push(block(`∂C/∂a${sup(l)} = (W${sup(l + 1)})ᵀδ${sup(name(l + 1))} = `, layer.gradA, digits, '    '));
    if (layer.derivative) {
      out.push(block(`f′(z${sup(n)}) = `, layer.derivative, digits, '    '));
      out.push(block(`δ${sup(n)} = ∂C/∂a${sup(n)} ⊙ f′(z${sup(n)}) = `, layer.delta, digits, '    '));
    } else {
      out.push(block(`δ${sup(n)} = ∂C/∂z${sup(n)} (through the ${layer.activation} Jacobian) = `, layer.delta, digits, '    '));
    }
    out.push(block(`∂C/∂W${sup(n)} = δ${sup(n)}·(a${sup(l - 1)})ᵀ = `, layer.gradWeights, digits, '    '));
    if (layer.gradBiases) out.push(block(`∂C/∂b${sup(n)} = δ${sup(n)} = `, [layer.gradBiases], digits, '    '));
  }
  out.push(block('\n  ∂C/∂x = (W¹)ᵀδ¹ = ', explanation.gradInput, digits, ''));
  const { optimizer } = explanation;
  out.push(`\nUpdate: ${optimizer.name} with ε = ${optimizer.lr}${optimizer.name === 'sgd' ? ': W := W − ε·∂C/∂W, b := b − ε·∂C/∂b' : ''}`);
  for (const layer of explanation.layers) {
    out.push(block(`W${sup(layer.index)} := `, layer.updatedWeights, digits, '  '));
    if (layer.updatedBiases) out.push(block(`b${sup(layer.index)} := `, [layer.updatedBiases], digits, '  '));
  }
  return out.join('\n') + '\n';
}

function latexMatrix(rows: readonly (readonly number[])[], digits: number): string {
  return `\\begin{bmatrix} ${rows.map((row) => row.map((v) => number(v, digits)).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
}

function latexLayer(layer: ExplainedLayer, L: number, digits: number): string[] {
  const l = layer.index;
  const n = l === L ? 'L' : String(l);
  const lines = [`**Layer ${l}${l === L ? ' (output, L)' : ''}**: \`${layer.description}\``, ''];
  lines.push(`$$\\delta^{${n}} = ${l === L ? `\\frac{\\partial C}{\\partial a^{${n}}}` : `(W^{${l + 1}})^\\top \\delta^{${l + 1 === L ? 'L' : l + 1}}`} \\odot f'(z^{${n}}) = ${latexMatrix(layer.gradA, digits)} \\odot ${layer.derivative ? latexMatrix(layer.derivative, digits) : '\\text{(softmax Jacobian)}'} = ${latexMatrix(layer.delta, digits)}$$`);
  lines.push(`$$\\frac{\\partial C}{\\partial W^{${n}}} = \\delta^{${n}} (a^{${l - 1}})^\\top = ${latexMatrix(layer.gradWeights, digits)}${layer.gradBiases ? `, \\qquad \\frac{\\partial C}{\\partial b^{${n}}} = \\delta^{${n}} = ${latexMatrix([layer.gradBiases], digits)}` : ''}$$`);
  return lines;
}

export function renderMarkdown(explanation: Explanation, digits = 6): string {
  const L = explanation.layers.length;
  const out: string[] = ['## One training step', '', `Rows are the ${explanation.input.length} sample(s) of the batch; $W^{l}$ is [out][in].`, '', '### Forward pass', ''];
  out.push(`$$a^{0} = x = ${latexMatrix(explanation.input, digits)}$$`);
  for (const layer of explanation.layers) {
    const l = layer.index;
    out.push('', `**Layer ${l}**: \`${layer.description}\``, '');
    out.push(`$$W^{${l}} = ${latexMatrix(layer.weights, digits)}${layer.biases ? `, \\qquad b^{${l}} = ${latexMatrix([layer.biases], digits)}` : ''}$$`);
    out.push(`$$z^{${l}} = W^{${l}} a^{${l - 1}} + b^{${l}} = ${latexMatrix(layer.z, digits)}, \\qquad a^{${l}} = \\mathrm{${layer.activation}}(z^{${l}}) = ${latexMatrix(layer.a, digits)}$$`);
  }
  out.push('', '### Loss', '', `${explanation.lossDescription}: $C = ${number(explanation.loss, digits)}$`, '', '### Backward pass', '');
  for (let i = L - 1; i >= 0; i--) out.push(...latexLayer(explanation.layers[i], L, digits), '');
  out.push(`$$\\frac{\\partial C}{\\partial x} = ${latexMatrix(explanation.gradInput, digits)}$$`, '');
  const { optimizer } = explanation;
  out.push(`### Update (${optimizer.name}, $\\varepsilon = ${optimizer.lr}$)`, '');
  for (const layer of explanation.layers) {
    out.push(`$$W^{${layer.index}} := ${latexMatrix(layer.updatedWeights, digits)}${layer.updatedBiases ? `, \\qquad b^{${layer.index}} := ${latexMatrix([layer.updatedBiases], digits)}` : ''}$$`);
  }
  return out.join('\n') + '\n';
}

// An article's FAQs, edited inline: each saved on its own (debounced PATCH
// with If-Match; a conflict is merged field by field), reordered by buttons,
// added and deleted.

import * as api from "./api.js";
import { h, mount, field, announce, debounce } from "./dom.js";
import { chooseMerge } from "./merge.js";
import { keep, kept, forget } from "./kept.js";

export function faqPanel(article) {
  const list = h("ol.faqs");
  const panel = h("section.card.faq-panel", { "aria-labelledby": "faqs-title" }, h("h2#faqs-title", {}, "FAQs"), list);
  let faqs = [];
  // Each FAQ's debounced save, flushed when the editor is left.
  const pending = new Set();

  async function load() {
    const { data } = await api.get(`/admin/faqs?article=${encodeURIComponent(article().slug)}&per_page=100`);
    faqs = data.sort((a, b) => a.position - b.position);
    render();
  }

  function render() {
    pending.clear();
    mount(list, faqs.map(item), h("li.add", {}, addForm()));
  }

  function item(faq, index) {
    const question = h("input", { name: `faq-${faq.id}-question`, value: faq.question });
    const answer = h("textarea", { name: `faq-${faq.id}-answer`, rows: 3 });
    answer.value = faq.answer.markdown;
    const state = h("small.hint", { "aria-live": "polite" });
    const values = (f) => ({ question: f.question, answer: f.answer.markdown });
    const typed = () => ({ question: question.value, answer: answer.value });
    // What the text in the inputs was written against (the server's copy, or a kept one's).
    let base = { ...values(faq), version: faq.version };
    const save = debounce(async () => {
      const now = typed();
      const patch = {};
      if (now.question !== base.question) patch.question = now.question;
      if (now.answer !== base.answer) patch.answer = { markdown: now.answer };
      if (!Object.keys(patch).length) return forget("faq", faq.id);
      state.textContent = "Saving…";
      try {
        const { data } = await api.patch(`/admin/faqs/${faq.id}`, patch, `"v${base.version}"`);
        Object.assign(faq, data);
        base = { ...values(data), version: data.version };
        if (JSON.stringify(typed()) === JSON.stringify(values(data))) forget("faq", faq.id);
        state.textContent = "Saved";
      } catch (err) {
        if (err.status === 412) await merge();
        else state.textContent = err.status === 0 || err instanceof TypeError ? "Offline — kept on this device" : `Not saved: ${err.message}`;
      }
    }, 1000);
    // Another editor saved this FAQ first: choose per field, then send the merge against theirs.
    async function merge() {
      state.textContent = "Someone else saved this FAQ — choose what to keep";
      const { data: theirs } = await api.get(`/admin/faqs/${faq.id}`);
      const merged = await chooseMerge({
        title: "Someone else saved this FAQ first",
        intro: "Another editor saved this question after you wrote yours. Choose what to keep; nothing is sent until you do.",
        labels: { question: "Question", answer: "Answer" },
        base,
        mine: typed(),
        theirs: values(theirs),
      });
      Object.assign(faq, theirs);
      base = { ...values(theirs), version: theirs.version };
      question.value = merged.question;
      answer.value = merged.answer;
      state.textContent = "";
      await save.flush();
    }
    const changed = () => {
      keep("faq", faq.id, { version: base.version, base, fields: typed() });
      save();
    };
    question.addEventListener("input", changed);
    answer.addEventListener("input", changed);
    pending.add(save);
    // Text kept from a closed tab: back in the inputs, sent against the version it was written on.
    const copy = kept("faq", faq.id);
    if (copy && JSON.stringify(copy.fields) !== JSON.stringify(values(faq))) {
      base = copy.base;
      question.value = copy.fields.question;
      answer.value = copy.fields.answer;
      state.textContent = "Restored from this device — saving";
      save();
    } else if (copy) forget("faq", faq.id);
    const move = (step) => async () => {
      const other = faqs[index + step];
      if (!other) return;
      try {
        // Moving down is moving the next one up: the server makes room and moves the rest.
        const [moved, to] = step < 0 ? [faq, other.position] : [other, faq.position];
        await api.patch(`/admin/faqs/${moved.id}`, { position: to }, `"v${moved.version}"`);
      } catch (err) {
        announce(`Not moved: ${err.message}`, "error");
      }
      await load();
      list.querySelector(`button[data-faq="${faq.id}"][data-step="${step}"]`)?.focus();
    };
    let confirming = false;
    const remove = h("button", {
      type: "button",
      onclick: async () => {
        if (!confirming) {
          confirming = true;
          remove.textContent = "Really delete?";
          return;
        }
        try {
          await api.del(`/admin/faqs/${faq.id}`, `"v${faq.version}"`);
          forget("faq", faq.id);
          announce("FAQ deleted.");
        } catch (err) {
          announce(`Not deleted: ${err.message}`, "error");
        }
        await load();
        list.querySelector("input")?.focus();
      },
    }, "Delete");
    return h(
      "li",
      {},
      field(`Question ${index + 1}`, question),
      field(`Answer ${index + 1} (Markdown)`, answer, state),
      h(
        "div.actions",
        {},
        h("button", { type: "button", onclick: move(-1), dataset: { faq: faq.id, step: -1 }, disabled: index === 0 }, "Move up"),
        h("button", { type: "button", onclick: move(1), dataset: { faq: faq.id, step: 1 }, disabled: index === faqs.length - 1 }, "Move down"),
        remove,
      ),
    );
  }

  function addForm() {
    const question = h("input", { name: "new-faq-question" });
    const answer = h("textarea", { name: "new-faq-answer", rows: 3 });
    return h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          if (!question.value.trim()) return question.focus();
          try {
            const last = faqs.at(-1);
            await api.post("/admin/faqs", {
              question: question.value.trim(),
              answer: { markdown: answer.value },
              article: article().slug,
              position: last ? last.position + 1 : 0,
            });
            announce("FAQ added.");
            await load();
            list.querySelector("li.add input")?.focus();
          } catch (err) {
            announce(`Not added: ${err.message}`, "error");
          }
        },
      },
      h("h3", {}, "Add a question"),
      field("New question", question),
      field("New answer (Markdown)", answer),
      h("button", { type: "submit" }, "Add FAQ"),
    );
  }

  load().catch((err) => mount(list, h("li.error", {}, err.message)));
  return { el: panel, flush: () => Promise.all([...pending].map((save) => save.flush())) };
}

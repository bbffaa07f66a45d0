// An article's FAQs, edited inline: each saved on its own (debounced PATCH
// with If-Match; a conflict is merged field by field), reordered by buttons,
// added and deleted.

import * as api from "./api.js";
import { h, mount, field, announce, debounce } from "./dom.js";
import { chooseMerge } from "./merge.js";

export function faqPanel(article) {
  const list = h("ol.faqs");
  const panel = h("section.card.faq-panel", { "aria-labelledby": "faqs-title" }, h("h2#faqs-title", {}, "FAQs"), list);
  let faqs = [];

  async function load() {
    const { data } = await api.get(`/admin/faqs?article=${encodeURIComponent(article().slug)}&per_page=100`);
    faqs = data.sort((a, b) => a.position - b.position);
    render();
  }

  function render() {
    mount(list, faqs.map(item), h("li.add", {}, addForm()));
  }

  function item(faq, index) {
    const question = h("input", { name: `faq-${faq.id}-question`, value: faq.question });
    const answer = h("textarea", { name: `faq-${faq.id}-answer`, rows: 3 });
    answer.value = faq.answer.markdown;
    const state = h("small.hint", { "aria-live": "polite" });
    const save = debounce(async () => {
      const patch = {};
      if (question.value !== faq.question) patch.question = question.value;
      if (answer.value !== faq.answer.markdown) patch.answer = { markdown: answer.value };
      if (!Object.keys(patch).length) return;
      state.textContent = "Saving…";
      try {
        const { data } = await api.patch(`/admin/faqs/${faq.id}`, patch, `"v${faq.version}"`);
        Object.assign(faq, data);
        state.textContent = "Saved";
      } catch (err) {
        if (err.status === 412) await merge();
        else state.textContent = `Not saved: ${err.message}`;
      }
    }, 1000);
    // Another editor saved this FAQ first: choose per field, then send the merge against theirs.
    async function merge() {
      state.textContent = "Someone else saved this FAQ — choose what to keep";
      const { data: theirs } = await api.get(`/admin/faqs/${faq.id}`);
      const values = (f) => ({ question: f.question, answer: f.answer.markdown });
      const merged = await chooseMerge({
        title: "Someone else saved this FAQ first",
        intro: "Another editor saved this question after you opened it. Choose what to keep; nothing is sent until you do.",
        labels: { question: "Question", answer: "Answer" },
        base: values(faq),
        mine: { question: question.value, answer: answer.value },
        theirs: values(theirs),
      });
      Object.assign(faq, theirs);
      question.value = merged.question;
      answer.value = merged.answer;
      state.textContent = "";
      await save.flush();
    }
    question.addEventListener("input", save);
    answer.addEventListener("input", save);
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
  return panel;
}

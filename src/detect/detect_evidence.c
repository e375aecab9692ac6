/*
 * detect_evidence.c — why a built-in analyzer rule matched. Matching only says yes or
 * no (the compiled matcher and the evaluator share sigma_value_match, which keeps
 * nothing); for the few events that matched such a rule, the worker asks here for the
 * evidence, and the analyzer judges the rule's fields once more, this time keeping the
 * decoded fragment and the reason. The daemon stores them as fields of the event
 * (pipeline.c); `vigil hunt` prints them beside the match.
 */
#include "detect/detect_int.h"

/* See detect.h. */
bool detect_rule_evidence(const struct detect_rules *rs, size_t i, const struct event *ev,
                          struct detect_evidence *out)
{
    if (!rs || i >= rs->n || !rs->rules[i].attack)
        return false;
    const struct sigma_rule *r = &rs->rules[i];
    for (unsigned d = 0; d < r->nidents; d++)
        for (unsigned g = 0; g < r->idents[d].ngroups; g++) {
            const struct sigma_group *gr = &r->idents[d].groups[g];
            for (unsigned k = 0; k < gr->npreds; k++) {
                const struct sigma_pred *p = &gr->preds[k];
                if (!p->field || p->neq)
                    continue;
                struct slice v;
                bool has = p->field_id != FIELD_NONE
                               ? event_get(ev, p->field_id, &v)
                               : event_get_named(ev, slice_cstr(p->field), &v);
                if (!has)
                    continue;
                for (unsigned j = 0; j < p->nvalues; j++) {
                    const struct sigma_value *sv = &p->values[j];
                    if (sv->kind != SIGMA_PRED_ATTACK)
                        continue;
                    enum analyze_kind kind = (enum analyze_kind)sv->attack;
                    if (analyze_field(kind, (enum analyze_form)sv->attack_form, v.p, v.len,
                                      &out->at)) {
                        out->analyzer = analyze_kind_name(kind);
                        out->field = p->field;
                        return true;
                    }
                }
            }
        }
    return false;
}

/* See detect.h. */
int detect_evidence_json(const struct detect_evidence *e, struct buf *b)
{
    buf_puts(b, "{\"analyzer\":\"");
    buf_json_str(b, e->analyzer, strlen(e->analyzer));
    buf_puts(b, "\",\"field\":\"");
    buf_json_str(b, e->field, strlen(e->field));
    if (e->at.param[0]) {
        buf_puts(b, "\",\"param\":\"");
        buf_json_str(b, e->at.param, strlen(e->at.param));
    }
    buf_puts(b, "\",\"why\":\"");
    buf_json_str(b, e->at.why, strlen(e->at.why));
    buf_puts(b, "\",\"fragment\":\"");
    buf_json_str(b, e->at.fragment, e->at.len);
    buf_puts(b, "\"}");
    return b->err;
}

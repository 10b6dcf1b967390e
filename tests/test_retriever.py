"""The public LangChain retriever (`Advisor.as_retriever`) against LangChain's own standard suite
(`langchain-tests`), plus what its users see: metadata, k, and an LCEL chain around it."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from advisor.core.langchain_retriever import AdvisorRetriever

pytestmark = pytest.mark.slow


class TestAdvisorRetrieverStandard(RetrieversIntegrationTests):
    """Every standard test, none overridden (the suite checks that itself)."""

    _params: dict = {}

    @pytest.fixture(autouse=True)
    def _built_from_the_real_index(self, advisor):
        # The constructor parameters need the session's Advisor, which only a fixture can give.
        retriever = advisor.as_retriever()
        type(self)._params = {"search": retriever.search, "live": retriever.live}

    @property
    def retriever_constructor(self) -> type[AdvisorRetriever]:
        return AdvisorRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return dict(self._params)

    @property
    def retriever_query_example(self) -> str:
        return "Which certifications are worth it?"


def test_documents_carry_guide_section_and_score(advisor):
    docs = advisor.as_retriever(k=2).invoke("What does an MLOps engineer earn?")
    assert len(docs) == 2
    top = docs[0]
    assert top.metadata["guide"] == "MLOps Engineer Career Guide"
    assert top.metadata["section"] == "How much do MLOps engineers earn?"
    assert top.metadata["score"] >= docs[1].metadata["score"] > 0
    assert "$120,000" in top.page_content and top.id == top.metadata["id"]


def test_k_from_invoke_overrides_the_constructor_and_may_exceed_the_candidate_pool(advisor):
    retriever = advisor.as_retriever(k=2)
    assert len(retriever.invoke("Which tools should I learn?", k=5)) == 5
    assert len(retriever.invoke("Which tools should I learn?", k=20)) == 20  # more than the 12 candidates
    assert len(retriever.invoke("Which tools should I learn?")) == 2


@pytest.mark.parametrize("k", [0, -1, "3", 2.5, True])
def test_a_bad_k_says_what_to_pass(advisor, k):
    with pytest.raises(ValueError, match="k must be a whole number"):
        advisor.as_retriever().invoke("Which tools should I learn?", k=k)


def test_a_bad_constructor_k_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        AdvisorRetriever(search=None, k=0)


def test_retriever_in_an_lcel_chain_with_a_chat_model(advisor):
    """The README's example, with LangChain's fake chat model standing in for any chat model."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    prompts = []

    def format_docs(docs):
        return "\n\n".join(f"[{i}] {d.metadata['section']}: {d.page_content}" for i, d in enumerate(docs, 1))

    prompt = ChatPromptTemplate.from_template("Answer from these passages:\n{context}\n\nQuestion: {question}")
    model = FakeListChatModel(responses=["From the guide: $120,000-$185,000 [1]"])
    chain = (
        {"context": advisor.as_retriever(k=3) | format_docs, "question": RunnablePassthrough()}
        | prompt
        | (lambda p: prompts.append(p.to_string()) or p)
        | model
        | StrOutputParser()
    )
    assert chain.invoke("What does an MLOps engineer earn?") == "From the guide: $120,000-$185,000 [1]"
    assert "[1] How much do MLOps engineers earn?" in prompts[0] and "[3]" in prompts[0] and "[4]" not in prompts[0]
